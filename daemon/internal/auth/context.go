package auth

import "context"

type principalKey struct{}

// WithPrincipal returns a context carrying p, as the interceptor does for an
// authenticated call.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal of an authenticated call.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// Actor is the name recorded in request history for the call's principal:
// the admin_token's name, or "" when the call carried none.
func Actor(ctx context.Context) string {
	p, _ := FromContext(ctx)
	return p.Name
}
