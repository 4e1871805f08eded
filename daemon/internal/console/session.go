package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/auth"
)

// cookieName holds the session id; only its hash is stored in Redis, so
// reading Redis does not give anyone a working session.
const cookieName = "dsrhost_ui"

// session is a signed-in operator.
type session struct {
	id      string
	name    string
	role    auth.Role
	created time.Time
}

func (c *Console) sessionKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return c.prefix + ":ui:session:" + hex.EncodeToString(sum[:])
}

// startSession stores a new session for p and sets its cookie.
func (c *Console) startSession(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return fmt.Errorf("session id: %w", err)
	}
	id := base64.RawURLEncoding.EncodeToString(b)
	key := c.sessionKey(id)
	pipe := c.rdb.TxPipeline()
	pipe.HSet(r.Context(), key, "name", p.Name, "role", strconv.Itoa(int(p.Role)), "created", strconv.FormatInt(c.now().Unix(), 10))
	pipe.Expire(r.Context(), key, c.idle)
	if _, err := pipe.Exec(r.Context()); err != nil {
		return fmt.Errorf("store session: %w", err)
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: id, Path: Path, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
	return nil
}

// loadSession returns the request's session, nil when it has none or it
// expired (idle: the key's TTL; absolute: its creation time). Each use
// pushes the idle expiry back.
func (c *Console) loadSession(ctx context.Context, r *http.Request) (*session, error) {
	ck, err := r.Cookie(cookieName)
	if err != nil || ck.Value == "" {
		return nil, nil
	}
	key := c.sessionKey(ck.Value)
	m, err := c.rdb.HGetAll(ctx, key).Result()
	if err != nil {
		return nil, fmt.Errorf("read session: %w", err)
	}
	if len(m) == 0 {
		return nil, nil
	}
	secs, _ := strconv.ParseInt(m["created"], 10, 64)
	role, _ := strconv.Atoi(m["role"])
	s := &session{id: ck.Value, name: m["name"], role: auth.Role(role), created: time.Unix(secs, 0)}
	if !c.now().Before(s.created.Add(c.absolute)) {
		_ = c.rdb.Del(ctx, key).Err()
		return nil, nil
	}
	if err := c.rdb.Expire(ctx, key, c.idle).Err(); err != nil {
		return nil, fmt.Errorf("refresh session: %w", err)
	}
	return s, nil
}

// endSession deletes the session and its cookie.
func (c *Console) endSession(w http.ResponseWriter, r *http.Request) error {
	if ck, err := r.Cookie(cookieName); err == nil && ck.Value != "" {
		if err := c.rdb.Del(r.Context(), c.sessionKey(ck.Value)).Err(); err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: Path, MaxAge: -1, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	return nil
}

// cookieSession is the CSRF binding: the raw cookie value, whether or not
// the session is still valid.
func cookieSession(r *http.Request) string {
	if ck, err := r.Cookie(cookieName); err == nil {
		return ck.Value
	}
	return ""
}
