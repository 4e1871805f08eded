package sdk

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"

	connectorv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/connector/v1"
)

func TestDescriptionRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   *Description
	}{
		{"empty", &Description{}},
		{"every field", &Description{
			Name:         "crm",
			Version:      "1.2.3",
			Description:  "Finds contacts.",
			Type:         AsynchronousAPI,
			Capabilities: []Capability{CapabilityAccess, CapabilityDelete},
			Settings: Schema{
				Attributes: []Attribute{
					{Name: "token", Type: TypeString, Required: true, Sensitive: true, Description: "API token."},
					{Name: "region", Type: TypeString, Default: "eu"},
					{Name: "page_size", Type: TypeNumber, Default: 100.0},
					{Name: "ratio", Type: TypeNumber, Default: 0.5},
					{Name: "sandbox", Type: TypeBool, Default: true},
					{Name: "timeout", Type: TypeDuration, Default: "90s"},
					{Name: "scopes", Type: TypeListOfString, Default: []string{"read", "delete"}},
					{Name: "headers", Type: TypeMapOfString, Default: map[string]string{"X-Env": "prod"}},
					{Name: "no_default", Type: TypeListOfString},
				},
				Blocks: []Block{{
					Name:        "auth",
					Nesting:     NestingSingle,
					MinItems:    1,
					MaxItems:    1,
					Description: "How to authenticate.",
					Schema: Schema{
						Attributes: []Attribute{{Name: "client_id", Type: TypeString, Required: true}},
						Blocks: []Block{{
							Name:    "scope",
							Nesting: NestingList,
							Schema:  Schema{Attributes: []Attribute{{Name: "name", Type: TypeString, Default: "all"}}},
						}},
					},
				}},
			},
		}},
		{"whole record", &Description{Type: WholeRecordDeletionAPI, Capabilities: []Capability{CapabilityDelete}}},
		{"direct contact", &Description{Type: DirectContact}},
		{"synchronous", &Description{Type: SynchronousAPI}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := descriptionToProto(tt.in)
			if err != nil {
				t.Fatalf("descriptionToProto: %v", err)
			}
			got, err := descriptionFromProto(roundTripWire(t, p))
			if err != nil {
				t.Fatalf("descriptionFromProto: %v", err)
			}
			if diff := cmp.Diff(tt.in, got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

// roundTripWire passes p through its wire encoding, as gRPC would.
func roundTripWire(t *testing.T, p *connectorv1.DescribeResponse) *connectorv1.DescribeResponse {
	t.Helper()
	b, err := proto.Marshal(p)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	out := new(connectorv1.DescribeResponse)
	if err := proto.Unmarshal(b, out); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	return out
}

func TestDefaultsComeBackInTheirAttributeType(t *testing.T) {
	// An int default (allowed in Go) arrives as the float64 JSON gives.
	in := &Description{Settings: Schema{Attributes: []Attribute{{Name: "n", Type: TypeNumber, Default: 3}}}}
	p, err := descriptionToProto(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := descriptionFromProto(p)
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := got.Settings.Attributes[0].Default.(float64); !ok || d != 3 {
		t.Errorf("default = %#v, want float64(3)", got.Settings.Attributes[0].Default)
	}
}

func TestDefaultOfWrongTypeIsRefused(t *testing.T) {
	tests := []struct {
		typ  AttributeType
		json string
	}{
		{TypeNumber, `"5"`},
		{TypeBool, `"yes"`},
		{TypeString, `5`},
		{TypeListOfString, `{"a":"b"}`},
		{TypeMapOfString, `["a"]`},
		{TypeDuration, `90`},
	}
	for _, tt := range tests {
		t.Run(tt.typ.String(), func(t *testing.T) {
			p := &connectorv1.DescribeResponse{SettingsSchema: &connectorv1.Schema{
				Blocks: []*connectorv1.NestedBlock{{Name: "outer", Schema: &connectorv1.Schema{
					Attributes: []*connectorv1.Attribute{{Name: "x", Type: attributeTypeToProto(tt.typ), DefaultJson: tt.json}},
				}}},
			}}
			_, err := descriptionFromProto(p)
			if err == nil {
				t.Fatal("want an error for a default of the wrong type")
			}
			for _, want := range []string{`block "outer"`, `attribute "x"`, tt.typ.String()} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %s", err, want)
				}
			}
		})
	}
}

func TestUnencodableDefaultIsAnError(t *testing.T) {
	in := &Description{Settings: Schema{Attributes: []Attribute{{Name: "f", Type: TypeString, Default: func() {}}}}}
	if _, err := descriptionToProto(in); err == nil || !strings.Contains(err.Error(), `attribute "f"`) {
		t.Errorf("descriptionToProto = %v, want an error naming the attribute", err)
	}
}

func TestConfigureRoundTrip(t *testing.T) {
	req := &ConfigureRequest{Integration: "crm", Settings: Settings(`{"token":"t"}`), ValidateOnly: true}
	if diff := cmp.Diff(req, configureRequestFromProto(configureRequestToProto(req))); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	resp := &ConfigureResponse{Diagnostics: []Diagnostic{
		AttributeError([]string{"auth", "token"}, "Missing", "Set it."),
		{Severity: SeverityWarning, Summary: "Deprecated"},
		CredentialError([]string{"token"}, Errorf(ErrorAuth, "refused").WithStatus(401).WithRemediation("New key.")),
	}, Type: WholeRecordDeletionAPI, Capabilities: []Capability{CapabilityDelete}}
	if diff := cmp.Diff(resp, configureResponseFromProto(configureResponseToProto(resp))); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
}

func TestJobRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   Job
	}{
		{"empty", Job{}},
		{"every field", Job{
			IdempotencyKey: "01J-access-1",
			RequestID:      "01J",
			RequestType:    RequestDeletion,
			Subject: Subject{
				Email:       "ada@example.com",
				Phone:       "+44 20 7946 0000",
				UserID:      "u-1",
				Identifiers: map[string]string{"heap_user_id": "42"},
			},
			Integration: "heap",
			ResponseURL: "https://privacy.example.com/respond/x",
			RespondBy:   time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		}},
		{"do not sell", Job{RequestType: RequestDoNotSell}},
		{"do not mail", Job{RequestType: RequestDoNotMail}},
		{"right to edit", Job{RequestType: RequestRightToEdit}},
		{"access", Job{RequestType: RequestAccess}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.in, jobFromProto(jobToProto(tt.in))); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAccessOutcomeRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		resp    *AccessResponse
		err     error
		want    *AccessResponse
		wantErr *Error
	}{
		{
			name: "records, files and identifiers",
			resp: &AccessResponse{
				Records:     []Record{{ID: "c-1", Kind: "contact", Data: json.RawMessage(`{"a":1}`)}, {ID: "c-2"}},
				Files:       []File{{Name: "export.csv", ContentType: "text/csv", Content: []byte("a,b\n")}},
				Identifiers: map[string]string{"user_id": "123"},
			},
		},
		{name: "nothing found", resp: &AccessResponse{}},
		{name: "pending", resp: &AccessResponse{Pending: &Pending{Handle: "h-1", PollAfter: 90 * time.Second}}},
		{name: "pending without a hint", resp: &AccessResponse{Pending: &Pending{Handle: "h-1"}}},
		{
			name:    "structured error",
			err:     Errorf(ErrorRateLimited, "slow down").WithStatus(429).WithRemediation("Wait.").WithRetryAfter(30 * time.Second),
			wantErr: &Error{Type: ErrorRateLimited, StatusCode: 429, Message: "slow down", Remediation: "Wait.", Retryable: true, RetryAfter: 30 * time.Second},
		},
		{
			name:    "plain error",
			err:     errString("boom"),
			wantErr: &Error{Type: ErrorInternal, Message: "boom"},
		},
		{
			name:    "typed nil error",
			err:     (*Error)(nil),
			wantErr: &Error{Type: ErrorInternal, Message: "connector returned a nil *sdk.Error"},
		},
		{
			name:    "neither answer nor error",
			wantErr: &Error{Type: ErrorInternal, Message: "connector returned neither an answer nor an error"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := accessFromOutcome(accessOutcome(tt.resp, tt.err))
			want := tt.want
			if want == nil && tt.wantErr == nil {
				want = tt.resp
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
			var gotErr *Error
			if err != nil {
				gotErr = err.(*Error)
			}
			if diff := cmp.Diff(tt.wantErr, gotErr); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeleteOutcomeRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		resp    *DeleteResponse
		err     error
		wantErr *Error
	}{
		{name: "records deleted", resp: &DeleteResponse{RecordsDeleted: 7}},
		{name: "whole record", resp: &DeleteResponse{WholeRecord: true}},
		{name: "nothing deleted", resp: &DeleteResponse{}},
		{name: "pending", resp: &DeleteResponse{Pending: &Pending{Handle: "job-9", PollAfter: time.Hour}}},
		{
			name:    "error without a type stays without one",
			err:     &Error{Message: "?"},
			wantErr: &Error{Message: "?"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := deleteFromOutcome(deleteOutcome(tt.resp, tt.err))
			var want *DeleteResponse
			if tt.wantErr == nil {
				want = tt.resp
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
			var gotErr *Error
			if err != nil {
				gotErr = err.(*Error)
			}
			if diff := cmp.Diff(tt.wantErr, gotErr); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrorTypesRoundTrip(t *testing.T) {
	for _, typ := range []ErrorType{
		ErrorAuth, ErrorPermission, ErrorRateLimited, ErrorNotFound, ErrorUnavailable,
		ErrorTimeout, ErrorInvalidConfig, ErrorPluginCrashed, ErrorInternal,
	} {
		if p := errorTypeToProto(typ); p == connectorv1.ErrorType_ERROR_TYPE_UNSPECIFIED {
			t.Errorf("%s has no wire value", typ)
		}
		if got := errorTypeFromProto(errorTypeToProto(typ)); got != typ {
			t.Errorf("%s came back as %q", typ, got)
		}
	}
	if got := errorTypeToProto("made_up"); got != connectorv1.ErrorType_ERROR_TYPE_UNSPECIFIED {
		t.Errorf("unknown type sent as %v, want UNSPECIFIED", got)
	}
}

func TestUnknownEnumsBecomeZero(t *testing.T) {
	d, err := descriptionFromProto(&connectorv1.DescribeResponse{
		Type:         connectorv1.IntegrationType(42),
		Capabilities: []connectorv1.Capability{connectorv1.Capability(42)},
		SettingsSchema: &connectorv1.Schema{
			Attributes: []*connectorv1.Attribute{{Name: "a", Type: connectorv1.AttributeType(42)}},
			Blocks:     []*connectorv1.NestedBlock{{Name: "b", Nesting: connectorv1.BlockNesting(42)}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := &Description{
		Capabilities: []Capability{0},
		Settings: Schema{
			Attributes: []Attribute{{Name: "a"}},
			Blocks:     []Block{{Name: "b"}},
		},
	}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestContextErrorsBecomeTimeouts(t *testing.T) {
	wrapped := fmt.Errorf("get https://api.example.com/users?email=x: %w", context.DeadlineExceeded)
	got := errorFromProto(wireError(wrapped))
	if got.Type != ErrorTimeout || !got.Retryable || strings.Contains(got.Message, "example.com") {
		t.Errorf("deadline = %#v, want a retryable timeout without the URL", got)
	}
	got = errorFromProto(wireError(context.Canceled))
	if got.Type != ErrorInternal || !got.Retryable {
		t.Errorf("canceled = %#v, want a retryable internal error", got)
	}
	// A typed error wrapping a deadline keeps its own type.
	got = errorFromProto(wireError(Errorf(ErrorUnavailable, "down")))
	if got.Type != ErrorUnavailable {
		t.Errorf("typed = %#v, want unavailable", got)
	}
}
