package privacycenter

// Verification outcomes passed to Metrics.Verified.
const (
	OutcomeVerified = "verified"
	OutcomeWrong    = "wrong"
	OutcomeExpired  = "expired"
	OutcomeReused   = "reused"
	OutcomeLocked   = "locked"
	OutcomeLimited  = "rate_limited"
)

// Metrics is told what subjects do, to count it; the daemon's Prometheus
// metrics implement it. Labels never carry personal data.
type Metrics interface {
	// Submitted counts a form accepted and awaiting verification.
	Submitted(requestType string)
	// Verified counts a verification attempt by outcome (Outcome*).
	Verified(outcome string)
	// Downloaded counts a download of access results.
	Downloaded()
}

type noMetrics struct{}

func (noMetrics) Submitted(string) {}
func (noMetrics) Verified(string)  {}
func (noMetrics) Downloaded()      {}
