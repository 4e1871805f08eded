package connector

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/sdk"
)

// graphQLShop answers a customers query paged by variables.after (Relay
// pageInfo) and a customerRequestDataErasure mutation that reports refusal
// in userErrors with status 200, as GraphQL APIs do.
func graphQLShop(t *testing.T, customers []string, refuse string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Query     string         `json:"query"`
			Variables map[string]any `json:"variables"`
		}
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&req) != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if strings.HasPrefix(req.Query, "mutation") {
			id, _ := req.Variables["id"].(string)
			payload := map[string]any{"customerId": id, "userErrors": []any{}}
			if id == refuse {
				payload = map[string]any{"customerId": nil, "userErrors": []any{map[string]any{"field": "customerId", "message": "refused"}}}
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"customerRequestDataErasure": payload}})
			return
		}
		if req.Variables["q"] != "email:ada@example.com" {
			t.Errorf("query variable q = %v", req.Variables["q"])
		}
		start := 0
		if after, ok := req.Variables["after"].(string); ok {
			_, _ = fmt.Sscanf(after, "cursor-%d", &start)
		}
		end := min(start+2, len(customers))
		var nodes []any
		for _, id := range customers[start:end] {
			nodes = append(nodes, map[string]any{"id": id, "email": "ada@example.com"})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"customers": map[string]any{
			"nodes": nodes, "pageInfo": map[string]any{"hasNextPage": end < len(customers), "endCursor": fmt.Sprintf("cursor-%d", end)}}}})
	})
}

// TestGraphQLOverPOST: the README's GraphQL example finds every customer
// over Relay pages (the cursor set in variables.after) and fails a
// mutation whose payload reports userErrors under status 200.
func TestGraphQLOverPOST(t *testing.T) {
	customers := []string{"gid://shopify/Customer/1", "gid://shopify/Customer/2", "gid://shopify/Customer/3"}
	srv := startServer(t, graphQLShop(t, customers, customers[2]))
	c := New()
	configure(t, c, "shop", map[string]any{"base_url": srv.URL,
		"access": map[string]any{"method": "POST", "path": "/graphql.json",
			"body": `{"query": "query($q: String!, $after: String) { customers(first: 2, query: $q, after: $after) { nodes { id email } pageInfo { hasNextPage endCursor } } }",
			          "variables": {"q": {{ printf "email:%s" .email | json }}, "after": null}}`,
			"records_path": "$.data.customers.nodes[*]",
			"pagination": map[string]any{"kind": "cursor", "cursor_path": "$.data[?(@.pageInfo.hasNextPage == true)].pageInfo.endCursor",
				"cursor_body_path": "$.variables.after"}},
		"deletion": map[string]any{"method": "POST", "path": "/graphql.json",
			"body":         `{"query": "mutation($id: ID!) { customerRequestDataErasure(customerId: $id) { customerId userErrors { field message } } }", "variables": {"id": {{ json .record.id }}}}`,
			"success_path": "$.data.customerRequestDataErasure.customerId", "failure_values": []any{""}},
	})
	ctx := context.Background()
	j := job("shop", "k", "ada@example.com")
	found, err := c.Access(ctx, &sdk.AccessRequest{Job: j})
	if err != nil {
		t.Fatal(err)
	}
	if len(found.Records) != 3 || found.Records[2].ID != customers[2] {
		t.Fatalf("records %+v, want the three customers over two pages", found.Records)
	}
	if _, err := c.Delete(ctx, &sdk.DeleteRequest{Job: j, Records: found.Records[:2]}); err != nil {
		t.Errorf("erasure of the first two: %v", err)
	}
	_, err = c.Delete(ctx, &sdk.DeleteRequest{Job: job("shop", "k2", "ada@example.com"), Records: found.Records[2:]})
	if e := asError(t, err); e.Type != sdk.ErrorInternal || !strings.Contains(e.Message, "success_path") {
		t.Errorf("refused erasure: %+v", e)
	}
}
