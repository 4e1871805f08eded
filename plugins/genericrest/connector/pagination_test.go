package connector

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/sdk"
	"github.com/google/go-cmp/cmp"
)

// pagedServer serves seven items, three a page, in the shape of every
// pagination kind, and insists on the email query on requests it builds
// from the query (offset and cursor) so pages keep the templated query.
func pagedServer(t *testing.T, foreignNext string) string {
	t.Helper()
	const total, size = 7, 3
	page := func(start int) []map[string]any {
		var items []map[string]any
		for i := start; i < min(start+size, total); i++ {
			items = append(items, map[string]any{"id": fmt.Sprintf("item-%d", i)})
		}
		return items
	}
	write := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	pageNumber := func(r *http.Request) int {
		n, err := strconv.Atoi(r.URL.Query().Get("page"))
		if err != nil || n < 1 {
			return 1
		}
		return n
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /offset", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		off, err1 := strconv.Atoi(q.Get("start"))
		lim, err2 := strconv.Atoi(q.Get("count"))
		if err1 != nil || err2 != nil || lim != size || q.Get("email") != "ada@example.com" {
			http.Error(w, "bad query", http.StatusBadRequest)
			return
		}
		write(w, map[string]any{"items": page(off)})
	})
	mux.HandleFunc("GET /link", func(w http.ResponseWriter, r *http.Request) {
		n := pageNumber(r)
		if n*size < total {
			w.Header().Add("Link", `</link?page=1>; rel="first"`)
			w.Header().Add("Link", fmt.Sprintf(`<link?fields=a,b&page=%d>; title="x, y"; REL="Next last"`, n+1))
		}
		write(w, map[string]any{"items": page((n - 1) * size)})
	})
	mux.HandleFunc("GET /bodylink", func(w http.ResponseWriter, r *http.Request) {
		n := pageNumber(r)
		body := map[string]any{"items": page((n - 1) * size)}
		if n*size < total {
			next := fmt.Sprintf("/bodylink?page=%d", n+1)
			if foreignNext != "" {
				next = foreignNext
			}
			body["links"] = map[string]any{"next": next}
		}
		write(w, body)
	})
	mux.HandleFunc("GET /cursor", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("email") != "ada@example.com" {
			http.Error(w, "bad query", http.StatusBadRequest)
			return
		}
		start, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
		body := map[string]any{"items": page(start), "next_cursor": nil}
		if start+size < total {
			body["next_cursor"] = strconv.Itoa(start + size)
		}
		write(w, body)
	})
	mux.HandleFunc("GET /stuck", func(w http.ResponseWriter, r *http.Request) {
		write(w, map[string]any{"items": page(0), "next_cursor": "same"})
	})
	return startServer(t, mux).URL
}

func accessWith(t *testing.T, base, path string, pagination map[string]any) (*sdk.AccessResponse, error) {
	t.Helper()
	c := New()
	configure(t, c, "paged", map[string]any{
		"base_url": base,
		"access": map[string]any{"path": path, "query": map[string]any{"email": "{{ .email }}"},
			"records_path": "$.items", "pagination": pagination},
	})
	return c.Access(context.Background(), &sdk.AccessRequest{Job: job("paged", "k", "ada@example.com")})
}

func TestPagination(t *testing.T) {
	base := pagedServer(t, "")
	want := []string{"item-0", "item-1", "item-2", "item-3", "item-4", "item-5", "item-6"}
	tests := []struct {
		name       string
		path       string
		pagination map[string]any
	}{
		{"offset", "/offset", map[string]any{"kind": "offset", "limit": 3, "offset_param": "start", "limit_param": "count"}},
		{"link header", "/link", map[string]any{"kind": "link_header"}},
		{"body link", "/bodylink", map[string]any{"kind": "body_link", "next_path": "$.links.next"}},
		{"cursor", "/cursor", map[string]any{"kind": "cursor", "cursor_path": "$.next_cursor", "cursor_param": "cursor"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := accessWith(t, base, tt.path, tt.pagination)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range resp.Records {
				got = append(got, r.ID)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPaginationMaxPages(t *testing.T) {
	base := pagedServer(t, "")
	_, err := accessWith(t, base, "/link", map[string]any{"kind": "link_header", "max_pages": 2})
	if e := asError(t, err); e.Type != sdk.ErrorInternal || e.Remediation == "" {
		t.Errorf("error = %+v", e)
	}
}

// TestPaginationRepeatedCursorFails: an API that hands back a cursor it
// gave before is not reading it; stopping there would report (and delete)
// fewer records than the subject has.
func TestPaginationRepeatedCursorFails(t *testing.T) {
	base := pagedServer(t, "")
	resp, err := accessWith(t, base, "/stuck", map[string]any{"kind": "cursor", "cursor_path": "$.next_cursor", "cursor_param": "c"})
	if e := asError(t, err); e.Type != sdk.ErrorInternal || !strings.Contains(e.Message, "cursor it gave before") || e.Retryable {
		t.Errorf("error = %+v, records %v", e, resp)
	}
}

// TestPaginationRefusesOtherOrigins: a next link to another host would
// carry the credentials there.
func TestPaginationRefusesOtherOrigins(t *testing.T) {
	base := pagedServer(t, "https://elsewhere.example/bodylink?page=2")
	_, err := accessWith(t, base, "/bodylink", map[string]any{"kind": "body_link", "next_path": "$.links.next"})
	if e := asError(t, err); e.Type != sdk.ErrorPermission {
		t.Errorf("error = %+v, want permission", e)
	}
}
