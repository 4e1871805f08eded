package archive

import (
	"fmt"
	"strings"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
)

// index is index.txt: what the archive holds, in words a subject reads
// without knowing JSON.
func index(r *engine.Request, m exportManifest, opts Options) []byte {
	var b strings.Builder
	org := opts.Organisation
	if org == "" {
		org = "us"
	}
	fmt.Fprintf(&b, "A copy of the personal data held about you by %s\n\n", org)
	fmt.Fprintf(&b, "Request reference: %s\nRequest received:  %s\nCopy made:         %s\n\n",
		r.ID, r.CreatedAt.UTC().Format(time.DateOnly), m.ExportedAt.Format(time.DateOnly))
	if len(m.Integrations) == 0 {
		b.WriteString("None of the systems we searched held personal data about you.\n")
		return []byte(b.String())
	}
	b.WriteString("Each system we searched has its own file in the integrations folder, holding\n")
	b.WriteString("the records it keeps about you as it keeps them (JSON, readable in any text\n")
	b.WriteString("editor). Documents sent to us by people who process data for us are in the\n")
	b.WriteString("files folder.\n\n")
	for _, it := range m.Integrations {
		fmt.Fprintf(&b, "- %s: %s, in %s\n", it.Integration, count(it.Records, "record"), it.File)
		if it.Files > 0 {
			fmt.Fprintf(&b, "  and %s in files/\n", count(it.Files, "document"))
		}
	}
	b.WriteString("\nmanifest.json lists the same contents for programs.\n")
	return []byte(b.String())
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
