package agent

import (
	"fmt"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/respond/linktoken"
)

// newSigner makes the signer of Direct Contact links for a configuration:
// keys derived from the encryption keys (old ones still verify links sent
// before a rotation), links under server.public_url.
func newSigner(cfg *config.Config) (*linktoken.Signer, error) {
	key, err := linktoken.DeriveKey(cfg.EncryptionKey[:])
	if err != nil {
		return nil, fmt.Errorf("derive link key: %w", err)
	}
	var prev [][]byte
	for _, k := range cfg.PreviousEncryptionKeys {
		pk, err := linktoken.DeriveKey(k[:])
		if err != nil {
			return nil, fmt.Errorf("derive previous link key: %w", err)
		}
		prev = append(prev, pk)
	}
	s, err := linktoken.NewSigner(linktoken.Options{Key: key, PreviousKeys: prev, PublicURL: cfg.Server.PublicURL})
	if err != nil {
		return nil, fmt.Errorf("direct contact links: %w", err)
	}
	return s, nil
}
