package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"connectrpc.com/connect"
	"github.com/hashicorp/go-hclog"
)

// Policy returns the role a procedure ("/package.Service/Method") needs.
// A procedure it does not know is refused: the interceptor fails closed.
type Policy func(procedure string) (Role, bool)

// PolicyMap is a Policy from a fixed table.
type PolicyMap map[string]Role

// Need implements Policy.
func (m PolicyMap) Need(procedure string) (Role, bool) {
	r, ok := m[procedure]
	return r, ok
}

// Interceptor is a Connect interceptor for handlers that requires a bearer
// token of the role its Policy names for each procedure, on unary and
// streaming calls alike.
type Interceptor struct {
	tokens *Tokens
	policy Policy
	log    hclog.Logger
}

// NewInterceptor returns an interceptor checking calls against tokens and
// policy. Refused calls are logged at debug level with the procedure and
// peer, never the token.
func NewInterceptor(tokens *Tokens, policy Policy, log hclog.Logger) *Interceptor {
	if log == nil {
		log = hclog.NewNullLogger()
	}
	return &Interceptor{tokens: tokens, policy: policy, log: log}
}

// WrapUnary implements connect.Interceptor.
func (i *Interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		p, err := i.check(req.Spec().Procedure, req.Header(), req.Peer().Addr)
		if err != nil {
			return nil, err
		}
		return next(WithPrincipal(ctx, p), req)
	}
}

// WrapStreamingClient implements connect.Interceptor; clients pass through.
func (i *Interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// WrapStreamingHandler implements connect.Interceptor.
func (i *Interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		p, err := i.check(conn.Spec().Procedure, conn.RequestHeader(), conn.Peer().Addr)
		if err != nil {
			return err
		}
		return next(WithPrincipal(ctx, p), conn)
	}
}

// check authenticates the call and authorises its procedure.
func (i *Interceptor) check(procedure string, header http.Header, peer string) (Principal, error) {
	token, err := BearerToken(header)
	if err != nil {
		i.log.Debug("call refused: no bearer token", "procedure", procedure, "peer", peer)
		return Principal{}, unauthenticated(err)
	}
	p, ok := i.tokens.Authenticate(token)
	if !ok {
		i.log.Debug("call refused: unknown token", "procedure", procedure, "peer", peer)
		return Principal{}, unauthenticated(errors.New("the bearer token matches no admin_token of the server's configuration"))
	}
	need, known := i.policy(procedure)
	if !known {
		i.log.Warn("call refused: procedure has no access policy", "procedure", procedure, "token", p.Name)
		return Principal{}, connect.NewError(connect.CodePermissionDenied,
			fmt.Errorf("%s is not open to any admin token", procedure))
	}
	if !p.Role.Allows(need) {
		i.log.Debug("call refused: role too small", "procedure", procedure, "token", p.Name, "role", p.Role, "need", need)
		return Principal{}, connect.NewError(connect.CodePermissionDenied,
			fmt.Errorf("admin_token %q has role %s; %s needs role %s or above", p.Name, p.Role, method(procedure), need))
	}
	return p, nil
}

// BearerToken returns the token of an "Authorization: Bearer <token>"
// header; the scheme is case-insensitive, as RFC 6750 allows.
func BearerToken(h http.Header) (string, error) {
	v := h.Get("Authorization")
	if v == "" {
		return "", errors.New("missing bearer token: send the header \"Authorization: Bearer <token>\" with an admin token")
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(v), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", errors.New("the Authorization header must read \"Bearer <token>\"")
	}
	return token, nil
}

func unauthenticated(err error) error {
	ce := connect.NewError(connect.CodeUnauthenticated, err)
	ce.Meta().Set("WWW-Authenticate", `Bearer realm="dsrhost"`)
	return ce
}

// method returns the method name of a procedure, e.g. "CreateRequest".
func method(procedure string) string {
	if i := strings.LastIndexByte(procedure, '/'); i >= 0 {
		return procedure[i+1:]
	}
	return procedure
}

var _ connect.Interceptor = (*Interceptor)(nil)
