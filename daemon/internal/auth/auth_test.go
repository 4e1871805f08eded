package auth

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/config"
)

func tokens(t *testing.T) *Tokens {
	t.Helper()
	tk, err := NewTokens(map[string]*config.AdminToken{
		"ci":   {Name: "ci", SHA256: Hash("viewer-secret"), Role: config.RoleViewer},
		"ops":  {Name: "ops", SHA256: strings.ToUpper(Hash("operator-secret")), Role: config.RoleOperator},
		"root": {Name: "root", SHA256: Hash("admin-secret"), Role: config.RoleAdmin},
	})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestAuthenticate(t *testing.T) {
	tk := tokens(t)
	tests := []struct {
		token string
		want  Principal
		ok    bool
	}{
		{"viewer-secret", Principal{Name: "ci", Role: Viewer}, true},
		// Upper-case hex in the configuration still matches.
		{"operator-secret", Principal{Name: "ops", Role: Operator}, true},
		{"admin-secret", Principal{Name: "root", Role: Admin}, true},
		{"", Principal{}, false},
		{"admin-secret ", Principal{}, false},
		{"ADMIN-SECRET", Principal{}, false},
		// The hash itself is not the token.
		{Hash("admin-secret"), Principal{}, false},
	}
	for _, tt := range tests {
		got, ok := tk.Authenticate(tt.token)
		if ok != tt.ok || got != tt.want {
			t.Errorf("Authenticate(%q) = %+v, %v; want %+v, %v", tt.token, got, ok, tt.want, tt.ok)
		}
	}
}

func TestReplace(t *testing.T) {
	tk := tokens(t)
	if err := tk.Replace(map[string]*config.AdminToken{
		"new": {SHA256: Hash("new-secret"), Role: config.RoleViewer},
	}); err != nil {
		t.Fatal(err)
	}
	if _, ok := tk.Authenticate("admin-secret"); ok {
		t.Error("a removed token still authenticates")
	}
	// The block's label names the token when Name is empty.
	if p, ok := tk.Authenticate("new-secret"); !ok || p.Name != "new" {
		t.Errorf("new token: %+v %v", p, ok)
	}
	bad := []map[string]*config.AdminToken{
		{"x": {Name: "x", SHA256: "abc", Role: config.RoleAdmin}},
		{"x": {Name: "x", SHA256: strings.Repeat("zz", 32), Role: config.RoleAdmin}},
		{"x": {Name: "x", SHA256: Hash("t"), Role: "superuser"}},
	}
	for _, b := range bad {
		if err := tk.Replace(b); err == nil {
			t.Errorf("Replace(%+v) accepted", b["x"])
		}
	}
	if tk.Len() != 1 {
		t.Errorf("a failed Replace changed the set: %d tokens", tk.Len())
	}
	if _, ok := tk.Authenticate("new-secret"); !ok {
		t.Error("a failed Replace dropped the previous set")
	}
}

func TestEmptyTokens(t *testing.T) {
	tk, err := NewTokens(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tk.Authenticate("anything"); ok {
		t.Error("an empty set authenticated a token")
	}
	var zero Tokens
	if _, ok := zero.Authenticate("anything"); ok {
		t.Error("a zero Tokens authenticated a token")
	}
}

func TestRoleAllows(t *testing.T) {
	roles := []Role{0, Viewer, Operator, Admin, Admin + 1}
	for _, have := range roles {
		for _, need := range roles {
			want := have >= need && need >= Viewer && need <= Admin && have <= Admin
			if got := have.Allows(need); got != want {
				t.Errorf("%v.Allows(%v) = %v, want %v", have, need, got, want)
			}
		}
	}
}

func TestParseRole(t *testing.T) {
	for in, want := range map[config.Role]Role{config.RoleViewer: Viewer, config.RoleOperator: Operator, config.RoleAdmin: Admin} {
		got, err := ParseRole(in)
		if err != nil || got != want || got.String() != string(in) {
			t.Errorf("ParseRole(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseRole("root"); err == nil {
		t.Error(`ParseRole("root") succeeded`)
	}
}

func TestBearerToken(t *testing.T) {
	tests := []struct {
		header string
		want   string
		ok     bool
	}{
		{"Bearer abc", "abc", true},
		{"bearer abc", "abc", true},
		{"BEARER   abc  ", "abc", true},
		{"", "", false},
		{"Basic YWxhZGRpbjpvcGVu", "", false},
		{"Bearer", "", false},
		{"Bearer ", "", false},
		{"abc", "", false},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.header != "" {
			h.Set("Authorization", tt.header)
		}
		got, err := BearerToken(h)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("BearerToken(%q) = %q, %v", tt.header, got, err)
		}
	}
}

func TestContext(t *testing.T) {
	ctx := context.Background()
	if Actor(ctx) != "" {
		t.Error("actor without a principal")
	}
	ctx = WithPrincipal(ctx, Principal{Name: "ops", Role: Operator})
	if p, ok := FromContext(ctx); !ok || p.Name != "ops" || Actor(ctx) != "ops" {
		t.Errorf("FromContext = %+v, %v", p, ok)
	}
}

// BenchmarkAuthenticate measures a check against 100 tokens, every one
// compared whatever matches.
func BenchmarkAuthenticate(b *testing.B) {
	blocks := map[string]*config.AdminToken{}
	for i := range 100 {
		name := "t" + strings.Repeat("x", i)
		blocks[name] = &config.AdminToken{Name: name, SHA256: Hash(name), Role: config.RoleViewer}
	}
	tk, err := NewTokens(blocks)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		tk.Authenticate("t")
	}
}
