package inventory

import (
	"os"
	"path/filepath"

	"github.com/dsrhost/dsrhost/config"
)

// ResolveCommand returns the path to launch for a plugin. A shipped plugin
// used without a plugin block is looked for beside the running dsrhost binary
// first, so `bin/dsrhost` finds `bin/dsrhost-plugin-heap` from any working
// directory; everything else runs from the path as written, relative paths
// from the working directory.
func ResolveCommand(p *config.Plugin) string {
	if p.Builtin {
		if exe, err := os.Executable(); err == nil {
			beside := filepath.Join(filepath.Dir(exe), "dsrhost-plugin-"+p.Name)
			if st, err := os.Stat(beside); err == nil && !st.IsDir() {
				return beside
			}
		}
	}
	return p.Command
}
