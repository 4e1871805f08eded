package connector

import (
	"net/http"
	"testing"
	"time"
)

func TestNextLink(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   string
	}{
		{"github style", []string{`<https://api.example.com/items?page=2>; rel="next", <https://api.example.com/items?page=9>; rel="last"`}, "https://api.example.com/items?page=2"},
		{"next not first", []string{`<https://a.example/1>; rel="prev", <https://a.example/3>; rel="next"`}, "https://a.example/3"},
		{"comma in URI", []string{`<https://a.example/items?fields=a,b&page=2>; rel="next"`}, "https://a.example/items?fields=a,b&page=2"},
		{"semicolon in URI", []string{`<https://a.example/items;v=1?page=2>; rel=next`}, "https://a.example/items;v=1?page=2"},
		{"several relation types", []string{`<https://a.example/2>; rel="next last"`}, "https://a.example/2"},
		{"case-insensitive", []string{`<https://a.example/2>; REL="Next"`}, "https://a.example/2"},
		{"quoted comma in param", []string{`<https://a.example/0>; title="a, b"; rel="prev", <https://a.example/2>; rel="next"`}, "https://a.example/2"},
		{"only the first rel counts", []string{`<https://a.example/1>; rel="prev"; rel="next"`}, ""},
		{"separate header values", []string{`<https://a.example/1>; rel="prev"`, `<https://a.example/2>; rel="next"`}, "https://a.example/2"},
		{"relative", []string{`</items?page=2>; rel="next"`}, "/items?page=2"},
		{"none", []string{`<https://a.example/1>; rel="prev"`}, ""},
		{"empty", nil, ""},
		{"malformed then good", []string{`garbage; rel="next", <https://a.example/2>; rel="next"`}, "https://a.example/2"},
		{"unterminated", []string{`<https://a.example/2; rel="next"`}, ""},
		{"escaped quote", []string{`<https://a.example/2>; title="say \"hi\", ok"; rel="next"`}, "https://a.example/2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nextLink(tt.values); got != tt.want {
				t.Errorf("nextLink(%q) = %q, want %q", tt.values, got, tt.want)
			}
		})
	}
}

func FuzzNextLink(f *testing.F) {
	f.Add(`<https://a.example/2>; rel="next"`)
	f.Add(`<a>; title="x\"; rel=next`)
	f.Fuzz(func(t *testing.T, s string) {
		_ = nextLink([]string{s}) // must not panic or loop
	})
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
		known bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 30 ", 30 * time.Second, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.value != "" {
			h.Set("Retry-After", tt.value)
		}
		got, known := retryAfter(h, now)
		if got != tt.want || known != tt.known {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.value, got, known, tt.want, tt.known)
		}
	}
}

func TestJobCacheBounded(t *testing.T) {
	c := newJobCache(2)
	calls := 0
	get := func(key string) any {
		v, err := c.do(key, func() (any, error) { calls++; return calls, nil }, func(any) bool { return true })
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if get("a") != 1 || get("a") != 1 || get("b") != 2 || get("c") != 3 {
		t.Fatal("cache did not remember")
	}
	if get("a") != 4 {
		t.Error("the oldest entry was not forgotten beyond capacity")
	}
	if get("") != 5 || get("") != 6 {
		t.Error("an empty key was remembered")
	}
}
