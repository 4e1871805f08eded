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

// checkSum hashes the binary at path and compares it with want.
func checkSum(path string, want []byte) error {
	got, err := HashFile(path)
	if err != nil {
		return err
	}
	if string(got) != string(want) {
		return &ChecksumError{Path: path, Expected: hex.EncodeToString(want), Actual: hex.EncodeToString(got)}
	}
	return nil
}
