package inventory

import (
	"encoding/json"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/sdk"
)

// inheritSMTP gives a Direct Contact integration whose settings have no
// smtp block the daemon's top-level one (and its from address), so one
// mail server serves replies and processors alike, as the configuration
// contract shows. Settings that name their own server keep it.
func inheritSMTP(settings []byte, d *sdk.Description, smtp *config.SMTP) []byte {
	if smtp == nil || d.Type != sdk.DirectContact {
		return settings
	}
	var m map[string]any
	if err := json.Unmarshal(settings, &m); err != nil {
		return settings
	}
	if _, ok := m["smtp"]; ok {
		return settings
	}
	block := map[string]any{"host": smtp.Host, "port": smtp.Port, "tls": string(smtp.TLS)}
	if smtp.Username != "" {
		block["username"] = smtp.Username
		block["password"] = smtp.Password.Value()
	}
	m["smtp"] = block
	if from, ok := m["from"].(string); (!ok || from == "") && smtp.From != "" {
		m["from"] = smtp.From
	}
	out, err := json.Marshal(m)
	if err != nil {
		return settings
	}
	return out
}
