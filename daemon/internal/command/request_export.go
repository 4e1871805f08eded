package command

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dsrhost/dsrhost/daemon/internal/client"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
)

// RequestExportCommand downloads a request's access results.
type RequestExportCommand struct {
	clientMeta
}

// Synopsis is the one-line help.
func (c *RequestExportCommand) Synopsis() string {
	return "Download a request's access results as a zip"
}

// Help is the full help.
func (c *RequestExportCommand) Help() string {
	return strings.TrimSpace(`
Usage: dsrhost request export [options] ID

  Downloads a request's access results as one zip archive: manifest.json,
  integrations/<name>.json with the records each integration found, and
  files/<name>/ with uploaded files. The archive holds the subject's
  personal data: keep it safe. Results are purged results_retention after
  the request closes. Needs a viewer token.

      $ dsrhost request export 01JA2B3C4D5E6F7G8H9JKMNPQR
      $ dsrhost request export -o - 01JA2B3C4D5E6F7G8H9JKMNPQR | unzip -l /dev/stdin

Export options:

  -o=<file>   Where to write the archive (default dsrhost-<ID>.zip in the
              current directory; "-" for standard output). An existing
              file is not overwritten.
` + clientHelp)
}

// Run exports.
func (c *RequestExportCommand) Run(args []string) int {
	const cmd = "request export"
	fs := c.flagSet(cmd, c.Help)
	out := fs.String("o", "", "")
	id, ok := c.parseID(fs, args, cmd)
	if !ok {
		return exitUsage
	}
	return c.withAPI(cmd, func(ctx context.Context, api *client.Client) int {
		res, err := unary(ctx, api.Requests.ExportResults, &adminv1.ExportResultsRequest{Id: id})
		if err != nil {
			return c.fail(cmd, err)
		}
		return c.save(cmd, id, *out, res)
	})
}

// save writes the archive to out ("-" for standard output, "" for the
// file name the daemon suggests) and says where it went.
func (c *RequestExportCommand) save(cmd, id, out string, res *adminv1.ExportResultsResponse) int {
	archive := res.GetArchive()
	if out == "-" {
		_, err := c.stdout().Write(archive)
		return c.output(err)
	}
	path := out
	if path == "" {
		path = filepath.Base(res.GetFilename())
		if path == "" || path == "." || path == "/" {
			path = "dsrhost-" + id + ".zip"
		}
	}
	// 0600: the archive is personal data. O_EXCL: never overwrite.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return c.fail(cmd, fmt.Errorf("write the archive: %w (choose another file with -o)", err))
	}
	if _, err := f.Write(archive); err != nil {
		_ = f.Close()
		return c.fail(cmd, fmt.Errorf("write %s: %w", path, err))
	}
	if err := f.Close(); err != nil {
		return c.fail(cmd, fmt.Errorf("write %s: %w", path, err))
	}
	if c.json() {
		enc := json.NewEncoder(c.stdout())
		enc.SetIndent("", "  ")
		return c.output(enc.Encode(map[string]any{"request_id": id, "path": path, "bytes": len(archive)}))
	}
	fmt.Fprintf(c.stdout(), "Wrote the results of request %s to %s (%d bytes).\n", id, path, len(archive))
	return exitOK
}
