package connector

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
)

// settings are an integration's validated settings.
type settings struct {
	Driver           string
	DSN              string
	PoolSize         int
	StatementTimeout time.Duration
	MaxRows          int
	HashKey          []byte
	Dataset          *dataset
}

// Bounds of the numeric settings.
const (
	maxPoolSize         = 100
	maxStatementTimeout = 10 * time.Minute
	maxMaxRows          = 1_000_000
)

// rawSettings is the settings object as the daemon sends it.
type rawSettings struct {
	Driver           string      `json:"driver"`
	DSN              string      `json:"dsn"`
	PoolSize         json.Number `json:"pool_size"`
	StatementTimeout string      `json:"statement_timeout"`
	MaxRows          json.Number `json:"max_rows"`
	HashKey          string      `json:"hash_key"`
	Tables           []rawTable  `json:"table"`
}

type rawTable struct {
	Name        string            `json:"name"`
	Identity    map[string]string `json:"identity"`
	Columns     []string          `json:"columns"`
	Identifiers map[string]string `json:"identifiers"`
	Erase       string            `json:"erase"`
	Mask        map[string]string `json:"mask"`
	References  []rawReference    `json:"reference"`
}

type rawReference struct {
	Column     string `json:"column"`
	References string `json:"references"`
}

// parseSettings decodes and validates settings, reporting every problem at
// once at the path of the setting at fault. Values are never quoted: dsn
// and hash_key are secret.
func parseSettings(raw sdk.Settings) (*settings, []sdk.Diagnostic) {
	var r rawSettings
	if err := raw.Decode(&r); err != nil {
		return nil, []sdk.Diagnostic{sdk.AttributeError(nil, "Invalid settings",
			"The SQL connector's settings do not have the shape of its schema; check each setting's type.")}
	}
	var diags []sdk.Diagnostic
	s := &settings{Driver: r.Driver, DSN: r.DSN, HashKey: []byte(r.HashKey)}
	if _, ok := dialects[r.Driver]; !ok {
		diags = append(diags, sdk.AttributeError([]string{settingDriver}, "Unknown database driver",
			`driver must be "postgres", "mysql" (MySQL and MariaDB) or "sqlite".`))
	}
	if strings.TrimSpace(r.DSN) == "" {
		diags = append(diags, sdk.AttributeError([]string{settingDSN}, "Missing database DSN",
			"Set dsn to the database's connection string, for example with env(\"DB_DSN\")."))
	}
	var d *sdk.Diagnostic
	s.PoolSize, d = boundedInt(r.PoolSize, settingPoolSize, defaultPoolSize, 1, maxPoolSize)
	diags = appendDiag(diags, d)
	s.MaxRows, d = boundedInt(r.MaxRows, settingMaxRows, defaultMaxRows, 1, maxMaxRows)
	diags = appendDiag(diags, d)
	s.StatementTimeout, d = statementTimeout(r.StatementTimeout)
	diags = appendDiag(diags, d)

	ds, dsDiags := parseDataset(r.Tables)
	diags = append(diags, dsDiags...)
	s.Dataset = ds
	if ds != nil && ds.usesHash() && len(s.HashKey) < minHashKey {
		diags = append(diags, sdk.AttributeError([]string{settingHashKey}, "Missing hash key",
			fmt.Sprintf(`A mask uses the "hash" strategy, which needs hash_key: a secret of at least %d bytes, `+
				`for example env("SQL_HASH_KEY") holding the output of openssl rand -base64 32.`, minHashKey)))
	}
	if hasErrors(diags) {
		return nil, diags
	}
	return s, diags
}

// minHashKey is the shortest hash_key accepted: shorter keys make the
// hashes of low-entropy values such as phone numbers easy to reverse.
const minHashKey = 16

func boundedInt(n json.Number, name string, def, lo, hi int) (int, *sdk.Diagnostic) {
	if n == "" {
		return def, nil
	}
	v, err := strconv.Atoi(string(n))
	if err != nil || v < lo || v > hi {
		d := sdk.AttributeError([]string{name}, "Invalid "+strings.ReplaceAll(name, "_", " "),
			fmt.Sprintf("%s must be a whole number from %d to %d.", name, lo, hi))
		return 0, &d
	}
	return v, nil
}

func statementTimeout(raw string) (time.Duration, *sdk.Diagnostic) {
	if raw == "" {
		raw = defaultStatementTimeout
	}
	v, err := sdk.ParseDuration(raw)
	if err != nil || v <= 0 || v > maxStatementTimeout {
		d := sdk.AttributeError([]string{settingStatementTimeout}, "Invalid statement timeout",
			fmt.Sprintf("statement_timeout must be a duration above zero and at most %s, such as %q.", maxStatementTimeout, defaultStatementTimeout))
		return 0, &d
	}
	return v, nil
}

func appendDiag(diags []sdk.Diagnostic, d *sdk.Diagnostic) []sdk.Diagnostic {
	if d != nil {
		diags = append(diags, *d)
	}
	return diags
}

func hasErrors(diags []sdk.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == sdk.SeverityError {
			return true
		}
	}
	return false
}
