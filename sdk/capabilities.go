package sdk

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// describeTimeout bounds the Describe that Serve makes before serving.
const describeTimeout = 10 * time.Second

// checkConnector reports every mismatch between what c's description
// declares and the interfaces c implements, so a connector that would fail
// its first job refuses to start instead.
func checkConnector(c Connector) error {
	if c == nil {
		return errors.New("no connector given to sdk.Serve")
	}
	ctx, cancel := context.WithTimeout(context.Background(), describeTimeout)
	defer cancel()
	d, err := c.Describe(ctx)
	if err != nil {
		return fmt.Errorf("describe: %w", err)
	}
	if d == nil {
		return errors.New("describe returned no description")
	}
	return capabilityMismatch(c, d)
}

// capabilityMismatch lists each declared capability whose interface c does
// not implement, including the pollers an Asynchronous API needs.
func capabilityMismatch(c Connector, d *Description) error {
	var errs []error
	_, accessor := c.(Accessor)
	_, accessPoller := c.(AccessPoller)
	_, deleter := c.(Deleter)
	_, deletePoller := c.(DeletePoller)
	if d.Can(CapabilityAccess) && !accessor {
		errs = append(errs, errors.New(`declares capability "access" but does not implement sdk.Accessor (no Access method)`))
	}
	if d.Can(CapabilityDelete) && !deleter {
		errs = append(errs, errors.New(`declares capability "delete" but does not implement sdk.Deleter (no Delete method)`))
	}
	if d.Type == AsynchronousAPI {
		if d.Can(CapabilityAccess) && accessor && !accessPoller {
			errs = append(errs, errors.New(`is an Asynchronous API declaring "access" but does not implement sdk.AccessPoller (no PollAccess method)`))
		}
		if d.Can(CapabilityDelete) && deleter && !deletePoller {
			errs = append(errs, errors.New(`is an Asynchronous API declaring "delete" but does not implement sdk.DeletePoller (no PollDelete method)`))
		}
	}
	for i, err := range errs {
		errs[i] = fmt.Errorf("connector %q %w", d.Name, err)
	}
	return errors.Join(errs...) // nil when there are none
}
