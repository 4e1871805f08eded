package fakevendors

import (
	"net/http"
	"strconv"
)

// HubSpot follows the CRM API v3 contacts endpoints: bearer token (a
// private app's), the search paged by "after" in the POST body, GDPR
// deletion answering 204.
type HubSpot struct {
	*base
	maxLimit int
}

// NewHubSpot returns a fake HubSpot that pages at most maxLimit contacts.
func NewHubSpot(token string, maxLimit int) *HubSpot {
	h := &HubSpot{maxLimit: maxLimit}
	h.base = newBase(bearer(token), func(w http.ResponseWriter) {
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"status": "error", "message": "You have reached your secondly limit.",
			"errorType": "RATE_LIMIT", "policyName": "SECONDLY", "correlationId": "c-1"})
	})
	h.route("GET /crm/v3/objects/contacts", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"results": []any{}})
	})
	h.route("POST /crm/v3/objects/contacts/search", h.search)
	h.route("POST /crm/v3/objects/contacts/gdpr-delete", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			ObjectID string `json:"objectId"`
		}
		if !decodeBody(r, &body) || body.ObjectID == "" {
			writeJSON(w, http.StatusBadRequest, hubspotError("VALIDATION_ERROR", "objectId is required"))
			return
		}
		if !h.remove(body.ObjectID) {
			writeJSON(w, http.StatusNotFound, hubspotError("OBJECT_NOT_FOUND", "resource not found"))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	return h
}

func (h *HubSpot) search(w http.ResponseWriter, r *http.Request) {
	var body struct {
		FilterGroups []struct {
			Filters []struct {
				PropertyName string `json:"propertyName"`
				Operator     string `json:"operator"`
				Value        string `json:"value"`
			} `json:"filters"`
		} `json:"filterGroups"`
		Limit int    `json:"limit"`
		After string `json:"after"`
	}
	if !decodeBody(r, &body) || len(body.FilterGroups) != 1 || len(body.FilterGroups[0].Filters) != 1 {
		writeJSON(w, http.StatusBadRequest, hubspotError("VALIDATION_ERROR", "Invalid input JSON"))
		return
	}
	f := body.FilterGroups[0].Filters[0]
	if f.PropertyName != "email" || f.Operator != "EQ" {
		writeJSON(w, http.StatusBadRequest, hubspotError("VALIDATION_ERROR", "Unsupported filter"))
		return
	}
	size := h.maxLimit
	if body.Limit > 0 {
		size = min(size, body.Limit)
	}
	all := h.find(f.Value)
	recs, next := page(all, atoi(body.After, 0), size)
	results := []any{}
	for _, rec := range recs {
		results = append(results, map[string]any{"id": rec.ID, "archived": false,
			"properties": map[string]any{"email": rec.Email, "firstname": rec.Name, "hs_object_id": rec.ID}})
	}
	resp := map[string]any{"total": len(all), "results": results}
	if next > 0 {
		resp["paging"] = map[string]any{"next": map[string]any{"after": strconv.Itoa(next)}}
	}
	writeJSON(w, http.StatusOK, resp)
}

func hubspotError(category, message string) map[string]any {
	return map[string]any{"status": "error", "category": category, "message": message, "correlationId": "c-1"}
}
