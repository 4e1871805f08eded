package reply

import (
	"fmt"
	"strings"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
)

// ExtensionNotice is the email telling a subject that their request needs
// more time: the new date and the operator's reason, as GDPR Art. 12(3)
// and CCPA require.
func ExtensionNotice(r *engine.Request, due time.Time, reason string) engine.Reply {
	kind := strings.ReplaceAll(string(r.Type), "_", " ")
	body := fmt.Sprintf("Hello,\n\nwe need more time to complete your %s request (reference %s), received on %s.\n\n"+
		"Why: %s\n\nWe will answer by %s.\n\nKind regards,\nThe privacy team\n",
		kind, r.ID, r.CreatedAt.UTC().Format(time.DateOnly), strings.TrimSpace(reason), due.UTC().Format(time.DateOnly))
	return engine.Reply{Subject: "Your privacy request needs more time", Body: body}
}
