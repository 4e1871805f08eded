package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	_ "modernc.org/sqlite"

	"github.com/dsrhost/dsrhost/plugins/sql/connector"
	"github.com/dsrhost/dsrhost/plugins/sql/internal/dbtest"
	"github.com/dsrhost/dsrhost/sdk"
	"github.com/dsrhost/dsrhost/sdk/sdktest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var shopDDL = []string{
	`CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(255) NOT NULL, name VARCHAR(100))`,
	`CREATE TABLE addresses (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), city VARCHAR(100))`,
	`CREATE TABLE tickets (id INTEGER PRIMARY KEY, email VARCHAR(255), subject VARCHAR(200))`,
	`INSERT INTO users VALUES (1, 'conformance@example.com', 'Connie'), (2, 'other@example.com', 'Otto')`,
	`INSERT INTO addresses VALUES (1, 1, 'Leeds'), (2, 2, 'York')`,
	`INSERT INTO tickets VALUES (1, 'conformance@example.com', 'Hi'), (2, 'other@example.com', 'Yo')`,
}

// The built dsrhost-plugin-sql, launched through go-plugin as the daemon
// launches it, keeps the connector contract against a SQLite database.
func TestConformance(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shop.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range shopDDL {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	tables := []map[string]any{
		{"name": "users", "identity": map[string]string{"email": "email"}, "erase": "mask",
			"mask": map[string]string{"email": "hash", "name": "null"}},
		{"name": "addresses", "erase": "delete", "reference": []map[string]any{{"column": "user_id", "references": "users.id"}}},
		{"name": "tickets", "identity": map[string]string{"email": "email"}, "erase": "delete"},
	}
	valid := map[string]any{"driver": "sqlite", "dsn": path, "hash_key": "conformance-hash-key", "table": tables}
	withTable := func(i int, key string, v any) []map[string]any {
		out := make([]map[string]any, len(tables))
		for j, tb := range tables {
			out[j] = map[string]any{}
			for k, x := range tb {
				out[j][k] = x
			}
		}
		out[i][key] = v
		return out
	}
	sdktest.Run(t, sdktest.Config{
		Binary:        sdktest.Build(t, "."),
		ValidSettings: valid,
		InvalidSettings: []sdktest.SettingsCase{
			{Name: "unknown driver", Settings: map[string]any{"driver": "oracle"}, WantPath: []string{"driver"}},
			{Name: "no database file", Settings: map[string]any{"dsn": filepath.Join(t.TempDir(), "none.db")}, WantPath: []string{"dsn"}},
			{Name: "table not in the database", Settings: map[string]any{"table": withTable(2, "name", "tikets")}, WantPath: []string{"table", "2", "name"}},
			{Name: "hash without a key", Settings: map[string]any{"hash_key": nil}, WantPath: []string{"hash_key"}},
			{Name: "max_rows zero", Settings: map[string]any{"max_rows": 0}, WantPath: []string{"max_rows"}},
		},
		Subject: sdk.Subject{Email: "conformance@example.com"},
	})
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM users WHERE name = 'Otto' AND email = 'other@example.com'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("the other subject's user row changed (%d, %v)", n, err)
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM addresses`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d addresses left, want only the other subject's (%v)", n, err)
	}
}

// The binary describes itself exactly as the library does in-process.
func TestBinaryDescribesItself(t *testing.T) {
	remote := sdktest.Launch(t, sdktest.Build(t, "."))
	got, err := remote.Describe(context.Background())
	if err != nil {
		t.Fatalf("Describe through go-plugin: %v", err)
	}
	want, _ := connector.New().Describe(context.Background())
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Describe through go-plugin differs from in-process (-want +got):\n%s", diff)
	}
}

// dsrhost validate, with the plugin it launches, reports a table and a
// column the database lacks and a missing grant, each at its line.
func TestValidateReportsDatabaseMistakesAtTheirLines(t *testing.T) {
	d := dbtest.Postgres(t).NewDatabase(t)
	d.Exec(t, shopDDL...)
	user := "shop_" + d.Name
	d.Exec(t, "CREATE ROLE "+user+" LOGIN PASSWORD 'pw'", "GRANT SELECT ON users, addresses, tickets TO "+user,
		"GRANT DELETE ON users TO "+user)
	t.Cleanup(func() { d.Exec(t, "DROP OWNED BY "+user, "DROP ROLE "+user) })

	plugin := sdktest.Build(t, ".")
	daemon := sdktest.Build(t, "github.com/dsrhost/dsrhost/daemon")
	src, err := os.ReadFile("testdata/validate.hcl")
	if err != nil {
		t.Fatal(err)
	}
	bin, _ := os.ReadFile(plugin)
	sum := sha256.Sum256(bin)
	hcl := strings.NewReplacer(`"PLUGIN"`, `"`+plugin+`"`, `"SHA256"`, `"`+hex.EncodeToString(sum[:])+`"`).Replace(string(src))
	file := filepath.Join(t.TempDir(), "dsrhost.hcl")
	if err := os.WriteFile(file, []byte(hcl), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(daemon, "validate", "-format", "json", file)
	cmd.Env = append(os.Environ(), "SQL_TEST_DSN="+d.DSNFor(user, "pw"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	_ = cmd.Run()
	var res struct {
		Valid       bool
		Diagnostics []struct {
			Severity, Summary string
			Line              int
		}
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("validate output: %v\n%s", err, out.String())
	}
	type at struct {
		Line    int
		Summary string
	}
	var got, want []at
	for _, dg := range res.Diagnostics {
		got = append(got, at{dg.Line, dg.Summary})
	}
	sc := bufio.NewScanner(bytes.NewReader(src))
	for line := 1; sc.Scan(); line++ {
		if _, w, ok := strings.Cut(sc.Text(), "# want: "); ok {
			want = append(want, at{line, w})
		}
	}
	if res.Valid || !cmp.Equal(want, got) {
		t.Errorf("diagnostics (-want +got):\n%s\noutput:\n%s", cmp.Diff(want, got), out.String())
	}
	if strings.Contains(out.String(), "pw@") {
		t.Errorf("the output quotes the dsn:\n%s", out.String())
	}
}
