package demodb

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/plugins/sql/connector"
	"github.com/dsrhost/dsrhost/sdk"
)

// The dev-mode integration block decodes against the plugin's schema,
// configures the connector on the demo database, and finds and erases
// the demo subject's five rows.
func TestDemoIntegration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shop.db")
	if err := Create(path); err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf(Integration, path)
	cfg, _, diags := config.Parse("dev.hcl", []byte(`encryption_key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
redis {
  url = "redis://127.0.0.1:6379/0"
}
`+src))
	if diags.HasErrors() {
		t.Fatalf("parse: %v", diags)
	}
	c := connector.New()
	desc, _ := c.Describe(context.Background())
	js, diags := config.DecodeSettings(cfg.Integrations["shop-db"].Settings, desc.Settings)
	if diags.HasErrors() {
		t.Fatalf("decode settings: %v", diags)
	}
	resp, err := c.Configure(context.Background(), &sdk.ConfigureRequest{Integration: "shop-db", Settings: js})
	if err != nil || resp.HasErrors() {
		t.Fatalf("Configure: %v %+v", err, resp)
	}
	job := sdk.Job{IdempotencyKey: "k", Integration: "shop-db", Subject: sdk.Subject{Email: Subject}}
	acc, err := c.Access(context.Background(), &sdk.AccessRequest{Job: job})
	if err != nil || len(acc.Records) != 5 || acc.Identifiers["shop_customer_id"] != "1" {
		t.Fatalf("Access = %+v, %v; want 5 records and customer id 1", acc, err)
	}
	del, err := c.Delete(context.Background(), &sdk.DeleteRequest{Job: job})
	if err != nil || del.RecordsDeleted != 5 {
		t.Fatalf("Delete = %+v, %v; want 5 rows erased", del, err)
	}
}
