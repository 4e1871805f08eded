package sdk

import "context"

// Connector is what every connector implements. What it can do beyond
// describing and configuring itself is opted into with [Accessor],
// [AccessPoller], [Deleter] and [DeletePoller]; [Serve] checks that the
// capabilities a connector declares match the interfaces it implements.
type Connector interface {
	// Describe reports the connector's name, version, type, capabilities
	// and settings schema. It must not depend on settings.
	Describe(ctx context.Context) (*Description, error)
	// Configure validates settings and checks the credentials' permissions
	// against the third party. Problems are returned as diagnostics, all of
	// them, so an admin can fix the settings block in one pass.
	Configure(ctx context.Context, req *ConfigureRequest) (*ConfigureResponse, error)
}

// Accessor is a connector that can look up a subject's data.
type Accessor interface {
	Connector
	// Access finds the subject's data, or returns a Pending handle when the
	// third party finishes later. Failures are returned as *Error.
	Access(ctx context.Context, req *AccessRequest) (*AccessResponse, error)
}

// AccessPoller is an Accessor whose Access may answer Pending.
type AccessPoller interface {
	Accessor
	// PollAccess reports on a pending Access.
	PollAccess(ctx context.Context, req *PollRequest) (*AccessResponse, error)
}

// Deleter is a connector that can delete or anonymise a subject's data.
type Deleter interface {
	Connector
	// Delete deletes the subject's data, or returns a Pending handle when
	// the third party finishes later. Failures are returned as *Error.
	Delete(ctx context.Context, req *DeleteRequest) (*DeleteResponse, error)
}

// DeletePoller is a Deleter whose Delete may answer Pending.
type DeletePoller interface {
	Deleter
	// PollDelete reports on a pending Delete.
	PollDelete(ctx context.Context, req *PollRequest) (*DeleteResponse, error)
}

// Remote is a connector as a host sees it: every method, whether or not the
// connector implements it (unimplemented ones fail with an *Error of type
// [ErrorInvalidConfig]). The daemon and sdktest obtain one with [Dispense];
// connector authors do not need it.
type Remote interface {
	Describe(ctx context.Context) (*Description, error)
	Configure(ctx context.Context, req *ConfigureRequest) (*ConfigureResponse, error)
	Access(ctx context.Context, req *AccessRequest) (*AccessResponse, error)
	PollAccess(ctx context.Context, req *PollRequest) (*AccessResponse, error)
	Delete(ctx context.Context, req *DeleteRequest) (*DeleteResponse, error)
	PollDelete(ctx context.Context, req *PollRequest) (*DeleteResponse, error)
}
