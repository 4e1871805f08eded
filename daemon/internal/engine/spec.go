package engine

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
)

// Connectors is how the engine reaches a plugin: the daemon's plugin host
// answers with the connector behind an integration's name.
type Connectors interface {
	Connector(integration string) (sdk.Remote, bool)
}

// Readiness is implemented by Connectors that know whether the plugin
// behind an integration can take calls now. A job for a plugin that is
// restarting waits (no call, no attempt counted) until retryAt; one for a
// plugin in a crash loop fails its attempt with crashLoop, whose
// remediation names the plugin.
type Readiness interface {
	Ready(integration string) (ready bool, retryAt time.Time, crashLoop error)
}

// ConnectorsFunc adapts a function to Connectors.
type ConnectorsFunc func(integration string) (sdk.Remote, bool)

// Connector calls f.
func (f ConnectorsFunc) Connector(integration string) (sdk.Remote, bool) { return f(integration) }

// DeletionBehavior says when an asynchronous deletion counts as done.
type DeletionBehavior string

// The deletion behaviours of the Heap seed.
const (
	// WaitForCompletion keeps the integration Processing until the third
	// party reports the deletion done (the default).
	WaitForCompletion DeletionBehavior = "wait_for_completion"
	// CompleteOnSubmit marks it Complete as soon as the third party
	// accepts the deletion.
	CompleteOnSubmit DeletionBehavior = "complete_on_submit"
)

// OnNoResponse is what a Direct Contact integration does when its
// processor has not answered by the due date.
type OnNoResponse string

// The choices.
const (
	// Block keeps the integration "Processing Due # days ago", holding the
	// request (the default).
	Block OnNoResponse = "block"
	// Skip completes it as "Access skipped (no response)" or "Deletion
	// skipped (no response)".
	Skip OnNoResponse = "skip"
)

// IntegrationSpec is one integration block of the configuration with what
// its plugin's Describe reported.
type IntegrationSpec struct {
	Name         string
	Category     string
	Type         sdk.IntegrationType
	Capabilities []sdk.Capability
	// RetryInterval between automatic retries of a failure (default 24h).
	RetryInterval time.Duration
	// MaxAttempts counts the first try (default 30).
	MaxAttempts int
	// PollInterval is the longest wait between polls of an asynchronous
	// job (default 1h); a plugin may ask for less.
	PollInterval time.Duration
	// MaxWait bounds an asynchronous job, after which it fails (default
	// 4380h, six months).
	MaxWait          time.Duration
	DeletionBehavior DeletionBehavior
	// DependsOn names integrations that must complete first; what they
	// find is added to the subject this one receives.
	DependsOn     []string
	DirectContact DirectContactSpec
	// Flow limits the calls made to the integration's third party.
	Flow FlowSpec
}

// DirectContactSpec configures a Direct Contact integration.
type DirectContactSpec struct {
	// DueIn is how long the processor has to answer (default 14 days).
	DueIn        time.Duration
	OnNoResponse OnNoResponse
}

// ManualSpec is a manual data source: a checklist item, no plugin.
type ManualSpec struct {
	Name         string
	Category     string
	Instructions string
	RequestTypes []sdk.RequestType
}

// RequestTypeSpec is a request_type block.
type RequestTypeSpec struct {
	// Deadline sets the due date from creation (default 45 days);
	// DeadlineMonths, when set, counts calendar months instead.
	Deadline       time.Duration
	DeadlineMonths int
	// Extension (or ExtensionMonths) is how much an operator may move the
	// due date, once; zero allows none.
	Extension       time.Duration
	ExtensionMonths int
	// ClockStartsAtVerification counts the deadline from identity
	// confirmation (CreateInput.VerifiedAt) rather than receipt.
	ClockStartsAtVerification bool
	// AcknowledgeWithin is the acknowledgement deadline after receipt,
	// recorded at creation (zero: none).
	AcknowledgeWithin time.Duration
	// AutoApprove skips Review.
	AutoApprove bool
	// RequireDeletionApproval holds Pending Delete until ApproveDeletion.
	RequireDeletionApproval bool
}

// Config is everything the engine needs from the configuration.
type Config struct {
	Integrations []IntegrationSpec
	Manual       []ManualSpec
	RequestTypes map[sdk.RequestType]RequestTypeSpec
}

// Defaults applied to zero fields.
const (
	DefaultRetryInterval = 24 * time.Hour
	DefaultMaxAttempts   = 30
	DefaultPollInterval  = time.Hour
	DefaultMaxWait       = 4380 * time.Hour
	DefaultDueIn         = 14 * 24 * time.Hour
	DefaultDeadline      = 45 * 24 * time.Hour
)

// RequestTypes lists the five request types.
func RequestTypes() []sdk.RequestType {
	return []sdk.RequestType{sdk.RequestAccess, sdk.RequestDeletion, sdk.RequestDoNotSell, sdk.RequestDoNotMail, sdk.RequestRightToEdit}
}

// compiled is a validated Config with defaults filled in.
type compiled struct {
	integrations []IntegrationSpec
	byName       map[string]*IntegrationSpec
	manual       []ManualSpec
	types        map[sdk.RequestType]RequestTypeSpec
}

func compile(cfg Config) (*compiled, error) {
	c := &compiled{byName: map[string]*IntegrationSpec{}, types: map[sdk.RequestType]RequestTypeSpec{}}
	names := map[string]bool{}
	for _, in := range cfg.Integrations {
		s := in
		s.Capabilities = slices.Clone(in.Capabilities)
		s.DependsOn = slices.Clone(in.DependsOn)
		if s.Name == "" {
			return nil, fmt.Errorf("integration without a name: %w", ErrInvalidArgument)
		}
		if names[s.Name] {
			return nil, fmt.Errorf("data source %q defined twice: %w", s.Name, ErrInvalidArgument)
		}
		names[s.Name] = true
		if s.Type < sdk.SynchronousAPI || s.Type > sdk.DirectContact {
			return nil, fmt.Errorf("integration %q: unknown type %d: %w", s.Name, s.Type, ErrInvalidArgument)
		}
		if s.RetryInterval <= 0 {
			s.RetryInterval = DefaultRetryInterval
		}
		if s.MaxAttempts <= 0 {
			s.MaxAttempts = DefaultMaxAttempts
		}
		if s.PollInterval <= 0 {
			s.PollInterval = DefaultPollInterval
		}
		if s.MaxWait <= 0 {
			s.MaxWait = DefaultMaxWait
		}
		switch s.DeletionBehavior {
		case "":
			s.DeletionBehavior = WaitForCompletion
		case WaitForCompletion, CompleteOnSubmit:
		default:
			return nil, fmt.Errorf("integration %q: deletion_behavior %q is neither %q nor %q: %w",
				s.Name, s.DeletionBehavior, WaitForCompletion, CompleteOnSubmit, ErrInvalidArgument)
		}
		if s.DirectContact.DueIn <= 0 {
			s.DirectContact.DueIn = DefaultDueIn
		}
		switch s.DirectContact.OnNoResponse {
		case "":
			s.DirectContact.OnNoResponse = Block
		case Block, Skip:
		default:
			return nil, fmt.Errorf("integration %q: on_no_response %q is neither %q nor %q: %w",
				s.Name, s.DirectContact.OnNoResponse, Block, Skip, ErrInvalidArgument)
		}
		c.integrations = append(c.integrations, s)
	}
	for i := range c.integrations {
		c.byName[c.integrations[i].Name] = &c.integrations[i]
	}
	for _, s := range c.integrations {
		for _, d := range s.DependsOn {
			if _, ok := c.byName[d]; !ok {
				return nil, fmt.Errorf("integration %q depends on %q, which is not an integration: %w", s.Name, d, ErrInvalidArgument)
			}
		}
	}
	if cyc := c.cycle(); cyc != nil {
		return nil, fmt.Errorf("depends_on forms a cycle %v: %w", cyc, ErrInvalidArgument)
	}
	for _, m := range cfg.Manual {
		if m.Name == "" {
			return nil, fmt.Errorf("manual data source without a name: %w", ErrInvalidArgument)
		}
		if names[m.Name] {
			return nil, fmt.Errorf("data source %q defined twice: %w", m.Name, ErrInvalidArgument)
		}
		names[m.Name] = true
		for _, t := range m.RequestTypes {
			if !slices.Contains(RequestTypes(), t) {
				return nil, fmt.Errorf("manual %q: unknown request type %q: %w", m.Name, t, ErrInvalidArgument)
			}
		}
		m.RequestTypes = slices.Clone(m.RequestTypes)
		c.manual = append(c.manual, m)
	}
	for _, t := range RequestTypes() {
		c.types[t] = RequestTypeSpec{Deadline: DefaultDeadline}
	}
	for t, s := range cfg.RequestTypes {
		if !slices.Contains(RequestTypes(), t) {
			return nil, fmt.Errorf("unknown request type %q: %w", t, ErrInvalidArgument)
		}
		if s.Deadline <= 0 {
			s.Deadline = DefaultDeadline
		}
		c.types[t] = s
	}
	return c, nil
}

// cycle returns a depends_on cycle, or nil.
func (c *compiled) cycle() []string {
	const (
		unseen = iota
		visiting
		done
	)
	mark := map[string]int{}
	var path []string
	var visit func(n string) []string
	visit = func(n string) []string {
		switch mark[n] {
		case visiting:
			i := slices.Index(path, n)
			return append(slices.Clone(path[i:]), n)
		case done:
			return nil
		}
		mark[n] = visiting
		path = append(path, n)
		for _, d := range c.byName[n].DependsOn {
			if cyc := visit(d); cyc != nil {
				return cyc
			}
		}
		path = path[:len(path)-1]
		mark[n] = done
		return nil
	}
	for _, s := range c.integrations {
		if cyc := visit(s.Name); cyc != nil {
			return cyc
		}
	}
	return nil
}

// ResponseLink describes the link a Direct Contact processor answers
// through; the daemon turns it into a signed URL.
type ResponseLink struct {
	RequestID   string
	Integration string
	Workflow    string
	Attempt     int
	DueAt       time.Time
}

// ResponseURLFunc builds the URL a processor answers through.
type ResponseURLFunc func(ctx context.Context, link ResponseLink) (string, error)

// ready asks the connectors, when they can tell, whether integration's
// plugin can take a call now. retryAt is in real time (never the engine's
// Clock): asynq schedules the wait.
func (e *Engine) ready(integration string) (bool, time.Time, error) {
	r, ok := e.conns.(Readiness)
	if !ok {
		return true, time.Time{}, nil
	}
	up, at, loop := r.Ready(integration)
	if !up && loop == nil && time.Until(at) < 100*time.Millisecond {
		at = time.Now().Add(time.Second)
	}
	return up, at, loop
}
