package devmode

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/dsrhost/dsrhost/plugins/sql/demodb"
)

// sqlDemo creates the demo shop database in a fresh temporary directory,
// removed by Close, and returns the integration block of the sql plugin
// pointed at it, which knows DemoSubject.
func (e *Env) sqlDemo() ([]byte, error) {
	dir, err := os.MkdirTemp("", "dsrhost-dev-sql-")
	if err != nil {
		return nil, fmt.Errorf("demo SQL database: %w", err)
	}
	e.sqlDir = dir
	path := filepath.Join(dir, "shop.db")
	if err := demodb.Create(path); err != nil {
		return nil, err
	}
	return fmt.Appendf(nil, demodb.Integration, path), nil
}
