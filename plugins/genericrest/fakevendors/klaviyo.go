package fakevendors

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Klaviyo follows the JSON:API of revision 2024-10-15: the
// Klaviyo-API-Key authorization, a required revision header, profiles
// filtered by equals(email,"...") with page[cursor] links, and deletion
// jobs answered 202.
type Klaviyo struct {
	*base
	pageSize int
}

// NewKlaviyo returns a fake Klaviyo answering pageSize profiles a page.
func NewKlaviyo(apiKey string, pageSize int) *Klaviyo {
	k := &Klaviyo{pageSize: pageSize}
	k.base = newBase(func(r *http.Request) bool {
		return r.Header.Get("Authorization") == "Klaviyo-API-Key "+apiKey
	}, func(w http.ResponseWriter) {
		writeJSON(w, http.StatusTooManyRequests, jsonAPIError(429, "throttled", "Request was throttled. Expected available in 1 second."))
	})
	k.route("GET /api/accounts/", func(w http.ResponseWriter, r *http.Request) {
		if !k.revision(w, r) {
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": []any{map[string]any{"type": "account", "id": "AbC123"}}})
	})
	k.route("GET /api/profiles/", k.profiles)
	k.route("POST /api/data-privacy-deletion-jobs/", func(w http.ResponseWriter, r *http.Request) {
		if !k.revision(w, r) {
			return
		}
		var body struct {
			Data struct {
				Type       string `json:"type"`
				Attributes struct {
					Profile struct {
						Data struct {
							Attributes struct {
								Email string `json:"email"`
							} `json:"attributes"`
						} `json:"data"`
					} `json:"profile"`
				} `json:"attributes"`
			} `json:"data"`
		}
		email := ""
		if decodeBody(r, &body) {
			email = body.Data.Attributes.Profile.Data.Attributes.Email
		}
		if body.Data.Type != "data-privacy-deletion-job" || email == "" {
			writeJSON(w, http.StatusBadRequest, jsonAPIError(400, "invalid", "A profile identifier is required."))
			return
		}
		for _, rec := range k.find(email) {
			k.remove(rec.ID)
		}
		w.WriteHeader(http.StatusAccepted)
	})
	return k
}

func (k *Klaviyo) revision(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("revision") == "" {
		writeJSON(w, http.StatusBadRequest, jsonAPIError(400, "invalid", "Missing revision header."))
		return false
	}
	return true
}

func (k *Klaviyo) profiles(w http.ResponseWriter, r *http.Request) {
	if !k.revision(w, r) {
		return
	}
	q := r.URL.Query()
	filter := q.Get("filter")
	if !strings.HasPrefix(filter, `equals(email,"`) || !strings.HasSuffix(filter, `")`) {
		writeJSON(w, http.StatusBadRequest, jsonAPIError(400, "invalid", "Invalid filter."))
		return
	}
	email := strings.TrimSuffix(strings.TrimPrefix(filter, `equals(email,"`), `")`)
	recs, next := page(k.find(email), atoi(q.Get("page[cursor]"), 0), k.pageSize)
	data := []any{}
	for _, rec := range recs {
		data = append(data, map[string]any{"type": "profile", "id": rec.ID,
			"attributes": map[string]any{"email": rec.Email, "first_name": rec.Name}})
	}
	var nextLink any
	if next > 0 {
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		nq := url.Values{"filter": {filter}, "page[cursor]": {strconv.Itoa(next)}}
		u.RawQuery = nq.Encode()
		nextLink = u.String()
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data, "links": map[string]any{"self": r.URL.String(), "next": nextLink, "prev": nil}})
}

func jsonAPIError(status int, code, detail string) map[string]any {
	return map[string]any{"errors": []any{map[string]any{"status": status, "code": code, "title": detail, "detail": detail}}}
}
