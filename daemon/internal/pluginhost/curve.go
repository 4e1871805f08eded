package pluginhost

import (
	"crypto/ecdh"
	"crypto/rand"
	"sync"
)

// warmCurve makes one throwaway P-521 key in the background, once per
// process. go-plugin's AutoMTLS makes a P-521 key pair at every launch,
// and Go builds its table of the curve's generator (a few milliseconds of
// CPU) at a process's first P-521 key: made here, when the host is
// created, it is built on the core a start leaves idle while it hashes
// the plugin binaries, not on the first launch's path. The table is the
// same whichever package asks (crypto/ecdh or crypto/ecdsa).
var warmCurve = sync.OnceFunc(func() {
	go func() { _, _ = ecdh.P521().GenerateKey(rand.Reader) }()
})
