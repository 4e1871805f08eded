package agent

import (
	"cmp"
	"context"
	"fmt"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/privacycenter"
	"github.com/dsrhost/dsrhost/daemon/internal/seal"
	"github.com/dsrhost/dsrhost/daemon/internal/telemetry"
)

// newPrivacyCenter builds the subjects' pages when the configuration
// enables them. Its settings are those at start: a reload does not change
// them.
func (a *Agent) newPrivacyCenter(cfg *config.Config, keys *seal.KeyRing, eopts engine.Options) error {
	pc := cfg.PrivacyCenter
	if pc == nil || !pc.Enabled {
		return nil
	}
	metrics := a.opts.PrivacyMetrics
	if metrics == nil && a.obs.metrics != nil {
		metrics = privacyMetrics{a.obs.metrics}
	}
	c, err := privacycenter.New(privacycenter.Options{
		Config: pc, Engine: a.engine, Keys: keys, Redis: a.rdb, Prefix: cmp.Or(eopts.Prefix, "dsrhost"),
		Mailer: liveMailer{a}, ResultsRetention: eopts.ResultsRetention, Metrics: metrics,
		Clock: eopts.Clock, Logger: a.logger.Named("privacy"),
	})
	if err != nil {
		return fmt.Errorf("privacy center: %w", err)
	}
	a.privacy = c
	return nil
}

// PrivacyCenter serves the subjects' pages; nil when the configuration
// does not enable them.
func (a *Agent) PrivacyCenter() *privacycenter.Center { return a.privacy }

// liveMailer sends through the smtp block in force.
type liveMailer struct{ a *Agent }

func (m liveMailer) SendTo(ctx context.Context, to, subject, body string) error {
	return m.a.mailer.Load().SendTo(ctx, to, subject, body)
}

// privacyMetrics counts the privacy center in the daemon's Prometheus
// metrics.
type privacyMetrics struct{ m *telemetry.Metrics }

func (p privacyMetrics) Submitted(requestType string) { p.m.PrivacyCenterSubmission(requestType) }
func (p privacyMetrics) Verified(outcome string)      { p.m.PrivacyCenterVerification(outcome) }

// Downloaded is not counted: the metrics have no download counter yet.
func (p privacyMetrics) Downloaded() {}
