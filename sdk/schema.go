package sdk

// AttributeType is the type of one setting.
type AttributeType int

// The attribute types.
const (
	TypeString AttributeType = iota + 1
	TypeNumber
	TypeBool
	// TypeDuration is written "90s", "15m", "24h" or "14d" and reaches the
	// connector as that string; [ParseDuration] reads it.
	TypeDuration
	TypeListOfString
	TypeMapOfString
)

// String returns the type as HCL users know it ("string", "list(string)").
func (t AttributeType) String() string {
	switch t {
	case TypeString:
		return "string"
	case TypeNumber:
		return "number"
	case TypeBool:
		return "bool"
	case TypeDuration:
		return "duration"
	case TypeListOfString:
		return "list(string)"
	case TypeMapOfString:
		return "map(string)"
	}
	return "unknown"
}

// Nesting says how often a nested block may appear.
type Nesting int

// The nestings.
const (
	// NestingSingle: at most one block, decoded as a JSON object.
	NestingSingle Nesting = iota + 1
	// NestingList: any number of blocks, decoded as a JSON array of objects.
	NestingList
)

// Schema describes a settings block.
type Schema struct {
	Attributes []Attribute
	Blocks     []Block
}

// Attribute is one setting.
type Attribute struct {
	Name     string
	Type     AttributeType
	Required bool
	// Sensitive values never appear in logs, errors or the admin API.
	Sensitive bool
	// Default is used when the setting is absent; nil for none. Its Go type
	// must match Type: string, float64 or int, bool, []string,
	// map[string]string (durations as strings).
	Default     any
	Description string
}

// Block is a nested block inside settings.
type Block struct {
	Name        string
	Nesting     Nesting
	Schema      Schema
	MinItems    int
	MaxItems    int
	Description string
}
