package pluginhost

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

const sha256Size = sha256.Size

// ChecksumError refuses a plugin binary whose SHA-256 is not the expected
// one: the configured sha256, or the hash pinned at first launch.
type ChecksumError struct {
	// Path is the binary's path.
	Path string
	// Expected and Actual are hex SHA-256 digests.
	Expected string
	Actual   string
}

// Error names the binary and both hashes, so an admin can tell a stale
// sha256 in the configuration from a replaced binary.
func (e *ChecksumError) Error() string {
	return fmt.Sprintf("plugin binary %s has sha256 %s, expected %s: refusing to launch it", e.Path, e.Actual, e.Expected)
}

// HashFile returns the SHA-256 of the plugin binary at path, as the host
// checks it before every launch; dev mode uses it to pin the shipped
// plugins it starts beside.
func HashFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("hash plugin binary: %w", err)
	}
	defer func() { _ = f.Close() }()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("hash plugin binary %s: %w", path, err)
	}
	return h.Sum(nil), nil
}

// hashFile hashes a binary for a launch; a test counts the calls.
var hashFile = HashFile

// checkShared checks the binary at path against want for a launch about to
// exec it. Launches of one binary at the same moment (integrations sharing
// a plugin, all launched at start) share one hash of it rather than each
// reading the whole file: a launch that begins after the shared hash is
// done hashes it again, so every launch is preceded by a check made for
// it or alongside it.
func (h *Host) checkShared(path string, want []byte) error {
	key := path + "\x00" + hex.EncodeToString(want)
	_, err, _ := h.checks.Do(key, func() (any, error) {
		got, err := hashFile(path)
		if err != nil {
			return nil, err
		}
		if string(got) != string(want) {
			return nil, &ChecksumError{Path: path, Expected: hex.EncodeToString(want), Actual: hex.EncodeToString(got)}
		}
		return nil, nil
	})
	return err
}

// hashShared is HashFile shared by the launches of one binary at the same
// moment, for a plugin with no sha256 to pin at its first launch.
func (h *Host) hashShared(path string) ([]byte, error) {
	v, err, _ := h.checks.Do(path, func() (any, error) { return hashFile(path) })
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}
