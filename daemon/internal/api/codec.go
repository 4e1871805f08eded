package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// strictJSON is the admin API's JSON codec. connect's own drops fields it
// does not know, so a typo such as "detials" in CreateRequest was answered
// 200 with the details silently lost; strictJSON refuses it, and connect
// answers the unmarshal error as invalid_argument. The binary protobuf codec
// keeps unknown fields, as protobuf's compatibility rules want: a program
// built against a newer schema sends binary, a person typing JSON makes
// typos.
type strictJSON struct{ name string }

// strictJSONCodecs replace connect's codecs for both names a client may send
// JSON under.
func strictJSONCodecs() []connect.HandlerOption {
	return []connect.HandlerOption{
		connect.WithCodec(strictJSON{name: "json"}),
		connect.WithCodec(strictJSON{name: "json; charset=utf-8"}),
	}
}

// Name implements connect.Codec.
func (c strictJSON) Name() string { return c.name }

// Marshal implements connect.Codec.
func (c strictJSON) Marshal(msg any) ([]byte, error) {
	m, ok := msg.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("marshal %T: not a protobuf message", msg)
	}
	return protojson.Marshal(m)
}

// MarshalStable implements connect.stableCodec, used for GET requests'
// cache-friendly encoding: compacted, since protojson's whitespace varies.
func (c strictJSON) MarshalStable(msg any) ([]byte, error) {
	b, err := c.Marshal(msg)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// IsBinary implements connect.stableCodec.
func (c strictJSON) IsBinary() bool { return false }

// Unmarshal implements connect.Codec, refusing unknown fields and unknown
// enum names; protojson's error names the field.
func (c strictJSON) Unmarshal(data []byte, msg any) error {
	m, ok := msg.(proto.Message)
	if !ok {
		return fmt.Errorf("unmarshal into %T: not a protobuf message", msg)
	}
	if len(data) == 0 {
		return errors.New("an empty body is not a JSON object")
	}
	if err := (protojson.UnmarshalOptions{}).Unmarshal(data, m); err != nil {
		return fmt.Errorf("%s: %w", m.ProtoReflect().Descriptor().Name(), err)
	}
	return nil
}
