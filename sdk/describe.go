package sdk

// IntegrationType is one of the four integration types.
type IntegrationType int

// The integration types. Their String forms are the names admins see.
const (
	// SynchronousAPI retrieves and deletes at once.
	SynchronousAPI IntegrationType = iota + 1
	// AsynchronousAPI: the third party accepts the job and finishes later.
	AsynchronousAPI
	// WholeRecordDeletionAPI deletes by identity and cannot extract first.
	WholeRecordDeletionAPI
	// DirectContact emails a processor, who answers through a signed link.
	DirectContact
)

// String returns the type's name as the product documents write it.
func (t IntegrationType) String() string {
	switch t {
	case SynchronousAPI:
		return "Synchronous API"
	case AsynchronousAPI:
		return "Asynchronous API"
	case WholeRecordDeletionAPI:
		return "Whole-Record Deletion API"
	case DirectContact:
		return "Direct Contact"
	}
	return "Unknown"
}

// Capability is one thing a connector can do.
type Capability int

// The capabilities.
const (
	// CapabilityAccess: the connector implements [Accessor].
	CapabilityAccess Capability = iota + 1
	// CapabilityDelete: the connector implements [Deleter].
	CapabilityDelete
)

// String returns "access" or "delete".
func (c Capability) String() string {
	switch c {
	case CapabilityAccess:
		return "access"
	case CapabilityDelete:
		return "delete"
	}
	return "unknown"
}

// Description is what Describe returns.
type Description struct {
	// Name is the connector's name, the <name> of dsrhost-plugin-<name>.
	Name string
	// Version is the connector's own version, shown in the data inventory.
	Version string
	// Description is one sentence for admins.
	Description  string
	Type         IntegrationType
	Capabilities []Capability
	// Settings is the schema of the integration's settings block. The
	// daemon decodes HCL against it, so admins get diagnostics that point at
	// the line at fault before the connector sees anything.
	Settings Schema
}

// Can reports whether the description lists capability c.
func (d *Description) Can(c Capability) bool {
	for _, have := range d.Capabilities {
		if have == c {
			return true
		}
	}
	return false
}
