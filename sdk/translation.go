package sdk

import (
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	connectorv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/connector/v1"
)

// This file is the one place where sdk types meet the wire types of
// dsrhost.connector.v1, in both directions: *ToProto for what the plugin
// side sends and the host side asks, *FromProto for the reverse. Neither
// side ever sees the other's types.

// Enums. Each unknown value maps to the wire's UNSPECIFIED (and back to the
// Go zero value), so a newer peer's value is visible as "unknown" rather
// than silently taken for another.

func integrationTypeToProto(t IntegrationType) connectorv1.IntegrationType {
	switch t {
	case SynchronousAPI:
		return connectorv1.IntegrationType_INTEGRATION_TYPE_SYNCHRONOUS_API
	case AsynchronousAPI:
		return connectorv1.IntegrationType_INTEGRATION_TYPE_ASYNCHRONOUS_API
	case WholeRecordDeletionAPI:
		return connectorv1.IntegrationType_INTEGRATION_TYPE_WHOLE_RECORD_DELETION_API
	case DirectContact:
		return connectorv1.IntegrationType_INTEGRATION_TYPE_DIRECT_CONTACT
	}
	return connectorv1.IntegrationType_INTEGRATION_TYPE_UNSPECIFIED
}

func integrationTypeFromProto(t connectorv1.IntegrationType) IntegrationType {
	switch t {
	case connectorv1.IntegrationType_INTEGRATION_TYPE_SYNCHRONOUS_API:
		return SynchronousAPI
	case connectorv1.IntegrationType_INTEGRATION_TYPE_ASYNCHRONOUS_API:
		return AsynchronousAPI
	case connectorv1.IntegrationType_INTEGRATION_TYPE_WHOLE_RECORD_DELETION_API:
		return WholeRecordDeletionAPI
	case connectorv1.IntegrationType_INTEGRATION_TYPE_DIRECT_CONTACT:
		return DirectContact
	}
	return 0
}

func capabilityToProto(c Capability) connectorv1.Capability {
	switch c {
	case CapabilityAccess:
		return connectorv1.Capability_CAPABILITY_ACCESS
	case CapabilityDelete:
		return connectorv1.Capability_CAPABILITY_DELETE
	}
	return connectorv1.Capability_CAPABILITY_UNSPECIFIED
}

func capabilityFromProto(c connectorv1.Capability) Capability {
	switch c {
	case connectorv1.Capability_CAPABILITY_ACCESS:
		return CapabilityAccess
	case connectorv1.Capability_CAPABILITY_DELETE:
		return CapabilityDelete
	}
	return 0
}

var requestTypes = map[RequestType]connectorv1.RequestType{
	RequestAccess:      connectorv1.RequestType_REQUEST_TYPE_ACCESS,
	RequestDeletion:    connectorv1.RequestType_REQUEST_TYPE_DELETION,
	RequestDoNotSell:   connectorv1.RequestType_REQUEST_TYPE_DO_NOT_SELL,
	RequestDoNotMail:   connectorv1.RequestType_REQUEST_TYPE_DO_NOT_MAIL,
	RequestRightToEdit: connectorv1.RequestType_REQUEST_TYPE_RIGHT_TO_EDIT,
}

func requestTypeToProto(t RequestType) connectorv1.RequestType {
	return requestTypes[t] // UNSPECIFIED when unknown
}

func requestTypeFromProto(t connectorv1.RequestType) RequestType {
	for k, v := range requestTypes {
		if v == t {
			return k
		}
	}
	return ""
}

var errorTypes = map[ErrorType]connectorv1.ErrorType{
	ErrorAuth:          connectorv1.ErrorType_ERROR_TYPE_AUTH,
	ErrorPermission:    connectorv1.ErrorType_ERROR_TYPE_PERMISSION,
	ErrorRateLimited:   connectorv1.ErrorType_ERROR_TYPE_RATE_LIMITED,
	ErrorNotFound:      connectorv1.ErrorType_ERROR_TYPE_NOT_FOUND,
	ErrorUnavailable:   connectorv1.ErrorType_ERROR_TYPE_UNAVAILABLE,
	ErrorTimeout:       connectorv1.ErrorType_ERROR_TYPE_TIMEOUT,
	ErrorInvalidConfig: connectorv1.ErrorType_ERROR_TYPE_INVALID_CONFIG,
	ErrorPluginCrashed: connectorv1.ErrorType_ERROR_TYPE_PLUGIN_CRASHED,
	ErrorInternal:      connectorv1.ErrorType_ERROR_TYPE_INTERNAL,
}

func errorTypeToProto(t ErrorType) connectorv1.ErrorType {
	return errorTypes[t] // UNSPECIFIED when unknown
}

// errorTypeFromProto returns "" for UNSPECIFIED: a connector that sent an
// error without a type is visible as such (sdktest reports it; the daemon
// treats it as internal).
func errorTypeFromProto(t connectorv1.ErrorType) ErrorType {
	for k, v := range errorTypes {
		if v == t {
			return k
		}
	}
	return ""
}

func attributeTypeToProto(t AttributeType) connectorv1.AttributeType {
	switch t {
	case TypeString:
		return connectorv1.AttributeType_ATTRIBUTE_TYPE_STRING
	case TypeNumber:
		return connectorv1.AttributeType_ATTRIBUTE_TYPE_NUMBER
	case TypeBool:
		return connectorv1.AttributeType_ATTRIBUTE_TYPE_BOOL
	case TypeDuration:
		return connectorv1.AttributeType_ATTRIBUTE_TYPE_DURATION
	case TypeListOfString:
		return connectorv1.AttributeType_ATTRIBUTE_TYPE_LIST_OF_STRING
	case TypeMapOfString:
		return connectorv1.AttributeType_ATTRIBUTE_TYPE_MAP_OF_STRING
	}
	return connectorv1.AttributeType_ATTRIBUTE_TYPE_UNSPECIFIED
}

func attributeTypeFromProto(t connectorv1.AttributeType) AttributeType {
	switch t {
	case connectorv1.AttributeType_ATTRIBUTE_TYPE_STRING:
		return TypeString
	case connectorv1.AttributeType_ATTRIBUTE_TYPE_NUMBER:
		return TypeNumber
	case connectorv1.AttributeType_ATTRIBUTE_TYPE_BOOL:
		return TypeBool
	case connectorv1.AttributeType_ATTRIBUTE_TYPE_DURATION:
		return TypeDuration
	case connectorv1.AttributeType_ATTRIBUTE_TYPE_LIST_OF_STRING:
		return TypeListOfString
	case connectorv1.AttributeType_ATTRIBUTE_TYPE_MAP_OF_STRING:
		return TypeMapOfString
	}
	return 0
}

func nestingToProto(n Nesting) connectorv1.BlockNesting {
	switch n {
	case NestingSingle:
		return connectorv1.BlockNesting_BLOCK_NESTING_SINGLE
	case NestingList:
		return connectorv1.BlockNesting_BLOCK_NESTING_LIST
	}
	return connectorv1.BlockNesting_BLOCK_NESTING_UNSPECIFIED
}

func nestingFromProto(n connectorv1.BlockNesting) Nesting {
	switch n {
	case connectorv1.BlockNesting_BLOCK_NESTING_SINGLE:
		return NestingSingle
	case connectorv1.BlockNesting_BLOCK_NESTING_LIST:
		return NestingList
	}
	return 0
}

func severityToProto(s Severity) connectorv1.Severity {
	switch s {
	case SeverityError:
		return connectorv1.Severity_SEVERITY_ERROR
	case SeverityWarning:
		return connectorv1.Severity_SEVERITY_WARNING
	}
	return connectorv1.Severity_SEVERITY_UNSPECIFIED
}

func severityFromProto(s connectorv1.Severity) Severity {
	switch s {
	case connectorv1.Severity_SEVERITY_ERROR:
		return SeverityError
	case connectorv1.Severity_SEVERITY_WARNING:
		return SeverityWarning
	}
	return 0
}

// Description and schema.

func descriptionToProto(d *Description) (*connectorv1.DescribeResponse, error) {
	schema, err := schemaToProto(d.Settings)
	if err != nil {
		return nil, fmt.Errorf("settings schema: %w", err)
	}
	out := &connectorv1.DescribeResponse{
		Name:           d.Name,
		Version:        d.Version,
		Description:    d.Description,
		Type:           integrationTypeToProto(d.Type),
		SettingsSchema: schema,
	}
	for _, c := range d.Capabilities {
		out.Capabilities = append(out.Capabilities, capabilityToProto(c))
	}
	return out, nil
}

func descriptionFromProto(p *connectorv1.DescribeResponse) (*Description, error) {
	schema, err := schemaFromProto(p.GetSettingsSchema())
	if err != nil {
		return nil, fmt.Errorf("settings schema: %w", err)
	}
	d := &Description{
		Name:        p.GetName(),
		Version:     p.GetVersion(),
		Description: p.GetDescription(),
		Type:        integrationTypeFromProto(p.GetType()),
		Settings:    schema,
	}
	for _, c := range p.GetCapabilities() {
		d.Capabilities = append(d.Capabilities, capabilityFromProto(c))
	}
	return d, nil
}

func schemaToProto(s Schema) (*connectorv1.Schema, error) {
	out := &connectorv1.Schema{}
	for _, a := range s.Attributes {
		var def string
		if a.Default != nil {
			b, err := json.Marshal(a.Default)
			if err != nil {
				return nil, fmt.Errorf("attribute %q: encode default: %w", a.Name, err)
			}
			if string(b) != "null" { // a typed nil is no default
				def = string(b)
			}
		}
		out.Attributes = append(out.Attributes, &connectorv1.Attribute{
			Name:        a.Name,
			Type:        attributeTypeToProto(a.Type),
			Required:    a.Required,
			Sensitive:   a.Sensitive,
			DefaultJson: def,
			Description: a.Description,
		})
	}
	for _, b := range s.Blocks {
		nested, err := schemaToProto(b.Schema)
		if err != nil {
			return nil, fmt.Errorf("block %q: %w", b.Name, err)
		}
		out.Blocks = append(out.Blocks, &connectorv1.NestedBlock{
			Name:        b.Name,
			Nesting:     nestingToProto(b.Nesting),
			Schema:      nested,
			MinItems:    int32(b.MinItems),
			MaxItems:    int32(b.MaxItems),
			Description: b.Description,
		})
	}
	return out, nil
}

func schemaFromProto(p *connectorv1.Schema) (Schema, error) {
	var s Schema
	for _, a := range p.GetAttributes() {
		attr := Attribute{
			Name:        a.GetName(),
			Type:        attributeTypeFromProto(a.GetType()),
			Required:    a.GetRequired(),
			Sensitive:   a.GetSensitive(),
			Description: a.GetDescription(),
		}
		if a.GetDefaultJson() != "" {
			def, err := decodeDefault(attr.Type, a.GetDefaultJson())
			if err != nil {
				return Schema{}, fmt.Errorf("attribute %q: %w", attr.Name, err)
			}
			attr.Default = def
		}
		s.Attributes = append(s.Attributes, attr)
	}
	for _, b := range p.GetBlocks() {
		nested, err := schemaFromProto(b.GetSchema())
		if err != nil {
			return Schema{}, fmt.Errorf("block %q: %w", b.GetName(), err)
		}
		s.Blocks = append(s.Blocks, Block{
			Name:        b.GetName(),
			Nesting:     nestingFromProto(b.GetNesting()),
			Schema:      nested,
			MinItems:    int(b.GetMinItems()),
			MaxItems:    int(b.GetMaxItems()),
			Description: b.GetDescription(),
		})
	}
	return s, nil
}

// decodeDefault reads a default in its attribute's Go type (numbers as
// float64), so a host never sees a default of the wrong type: a mismatch
// is an error naming the expected type.
func decodeDefault(t AttributeType, raw string) (any, error) {
	var (
		v   any
		err error
	)
	switch t {
	case TypeString, TypeDuration:
		v, err = decodeAs[string](raw)
	case TypeNumber:
		v, err = decodeAs[float64](raw)
	case TypeBool:
		v, err = decodeAs[bool](raw)
	case TypeListOfString:
		v, err = decodeAs[[]string](raw)
	case TypeMapOfString:
		v, err = decodeAs[map[string]string](raw)
	default:
		// An unknown type keeps whatever JSON says; validation reports the type.
		v, err = decodeAs[any](raw)
	}
	if err != nil {
		return nil, fmt.Errorf("default is not a valid %s", t)
	}
	return v, nil
}

func decodeAs[T any](raw string) (T, error) {
	var v T
	err := json.Unmarshal([]byte(raw), &v)
	return v, err
}

// Configure.

func configureRequestToProto(r *ConfigureRequest) *connectorv1.ConfigureRequest {
	return &connectorv1.ConfigureRequest{Integration: r.Integration, SettingsJson: []byte(r.Settings), ValidateOnly: r.ValidateOnly}
}

func configureRequestFromProto(p *connectorv1.ConfigureRequest) *ConfigureRequest {
	return &ConfigureRequest{Integration: p.GetIntegration(), Settings: Settings(p.GetSettingsJson()), ValidateOnly: p.GetValidateOnly()}
}

func configureResponseToProto(r *ConfigureResponse) *connectorv1.ConfigureResponse {
	out := &connectorv1.ConfigureResponse{}
	for _, d := range r.Diagnostics {
		out.Diagnostics = append(out.Diagnostics, &connectorv1.Diagnostic{
			Severity:      severityToProto(d.Severity),
			Summary:       d.Summary,
			Detail:        d.Detail,
			AttributePath: d.Path,
			Error:         errorToProto(d.Err),
		})
	}
	out.Type = integrationTypeToProto(r.Type)
	for _, c := range r.Capabilities {
		out.Capabilities = append(out.Capabilities, capabilityToProto(c))
	}
	return out
}

func configureResponseFromProto(p *connectorv1.ConfigureResponse) *ConfigureResponse {
	out := &ConfigureResponse{}
	for _, d := range p.GetDiagnostics() {
		out.Diagnostics = append(out.Diagnostics, Diagnostic{
			Severity: severityFromProto(d.GetSeverity()),
			Summary:  d.GetSummary(),
			Detail:   d.GetDetail(),
			Path:     d.GetAttributePath(),
			Err:      errorFromProto(d.GetError()),
		})
	}
	out.Type = integrationTypeFromProto(p.GetType())
	for _, c := range p.GetCapabilities() {
		out.Capabilities = append(out.Capabilities, capabilityFromProto(c))
	}
	return out
}

// Jobs.

func jobToProto(j Job) *connectorv1.Job {
	out := &connectorv1.Job{
		IdempotencyKey: j.IdempotencyKey,
		RequestId:      j.RequestID,
		RequestType:    requestTypeToProto(j.RequestType),
		Subject: &connectorv1.Subject{
			Email:       j.Subject.Email,
			Phone:       j.Subject.Phone,
			UserId:      j.Subject.UserID,
			Identifiers: j.Subject.Identifiers,
		},
		Integration: j.Integration,
		ResponseUrl: j.ResponseURL,
	}
	if !j.RespondBy.IsZero() {
		out.RespondBy = timestamppb.New(j.RespondBy)
	}
	return out
}

func jobFromProto(p *connectorv1.Job) Job {
	s := p.GetSubject()
	j := Job{
		IdempotencyKey: p.GetIdempotencyKey(),
		RequestID:      p.GetRequestId(),
		RequestType:    requestTypeFromProto(p.GetRequestType()),
		Subject: Subject{
			Email:       s.GetEmail(),
			Phone:       s.GetPhone(),
			UserID:      s.GetUserId(),
			Identifiers: nonEmptyMap(s.GetIdentifiers()),
		},
		Integration: p.GetIntegration(),
		ResponseURL: p.GetResponseUrl(),
	}
	if p.GetRespondBy() != nil {
		j.RespondBy = p.GetRespondBy().AsTime()
	}
	return j
}

// nonEmptyMap normalises an empty map to nil, as the wire cannot tell them
// apart.
func nonEmptyMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

func recordsToProto(rs []Record) []*connectorv1.Record {
	var out []*connectorv1.Record
	for _, r := range rs {
		out = append(out, &connectorv1.Record{Id: r.ID, Kind: r.Kind, DataJson: r.Data})
	}
	return out
}

func recordsFromProto(ps []*connectorv1.Record) []Record {
	var out []Record
	for _, p := range ps {
		r := Record{ID: p.GetId(), Kind: p.GetKind()}
		if len(p.GetDataJson()) > 0 {
			r.Data = json.RawMessage(p.GetDataJson())
		}
		out = append(out, r)
	}
	return out
}

func filesToProto(fs []File) []*connectorv1.File {
	var out []*connectorv1.File
	for _, f := range fs {
		out = append(out, &connectorv1.File{Name: f.Name, ContentType: f.ContentType, Content: f.Content})
	}
	return out
}

func filesFromProto(ps []*connectorv1.File) []File {
	var out []File
	for _, p := range ps {
		f := File{Name: p.GetName(), ContentType: p.GetContentType()}
		if len(p.GetContent()) > 0 {
			f.Content = p.GetContent()
		}
		out = append(out, f)
	}
	return out
}

func pendingToProto(p *Pending) *connectorv1.AsyncHandle {
	out := &connectorv1.AsyncHandle{Handle: p.Handle}
	if p.PollAfter != 0 {
		out.PollAfter = durationpb.New(p.PollAfter)
	}
	return out
}

func pendingFromProto(p *connectorv1.AsyncHandle) *Pending {
	out := &Pending{Handle: p.GetHandle()}
	if p.GetPollAfter() != nil {
		out.PollAfter = p.GetPollAfter().AsDuration()
	}
	return out
}

// Errors.

func errorToProto(e *Error) *connectorv1.Error {
	if e == nil {
		return nil
	}
	out := &connectorv1.Error{
		Type:        errorTypeToProto(e.Type),
		StatusCode:  int32(e.StatusCode),
		Message:     e.Message,
		Remediation: e.Remediation,
		Retryable:   e.Retryable,
	}
	if e.RetryAfter != 0 {
		out.RetryAfter = durationpb.New(e.RetryAfter)
	}
	return out
}

func errorFromProto(p *connectorv1.Error) *Error {
	if p == nil {
		return nil
	}
	e := &Error{
		Type:        errorTypeFromProto(p.GetType()),
		StatusCode:  int(p.GetStatusCode()),
		Message:     p.GetMessage(),
		Remediation: p.GetRemediation(),
		Retryable:   p.GetRetryable(),
	}
	if p.GetRetryAfter() != nil {
		e.RetryAfter = p.GetRetryAfter().AsDuration()
	}
	return e
}

// Outcomes. The four response messages share one oneof shape; these
// helpers build and read its three arms, and the per-message code in
// grpc_server.go and grpc_client.go only picks the arm.

func accessResultToProto(r *AccessResponse) *connectorv1.AccessResult {
	return &connectorv1.AccessResult{
		Records:     recordsToProto(r.Records),
		Files:       filesToProto(r.Files),
		Identifiers: r.Identifiers,
	}
}

func accessResultFromProto(p *connectorv1.AccessResult) *AccessResponse {
	return &AccessResponse{
		Records:     recordsFromProto(p.GetRecords()),
		Files:       filesFromProto(p.GetFiles()),
		Identifiers: nonEmptyMap(p.GetIdentifiers()),
	}
}

func deleteResultToProto(r *DeleteResponse) *connectorv1.DeleteResult {
	return &connectorv1.DeleteResult{RecordsDeleted: r.RecordsDeleted, WholeRecord: r.WholeRecord}
}

func deleteResultFromProto(p *connectorv1.DeleteResult) *DeleteResponse {
	return &DeleteResponse{RecordsDeleted: p.GetRecordsDeleted(), WholeRecord: p.GetWholeRecord()}
}

// accessFromOutcome turns a received oneof into what a Remote returns.
func accessFromOutcome(result *connectorv1.AccessResult, pending *connectorv1.AsyncHandle, perr *connectorv1.Error) (*AccessResponse, error) {
	switch {
	case perr != nil:
		return nil, errorFromProto(perr)
	case pending != nil:
		return &AccessResponse{Pending: pendingFromProto(pending)}, nil
	case result != nil:
		return accessResultFromProto(result), nil
	}
	return nil, Errorf(ErrorInternal, "connector sent an answer with no outcome")
}

// deleteFromOutcome turns a received oneof into what a Remote returns.
func deleteFromOutcome(result *connectorv1.DeleteResult, pending *connectorv1.AsyncHandle, perr *connectorv1.Error) (*DeleteResponse, error) {
	switch {
	case perr != nil:
		return nil, errorFromProto(perr)
	case pending != nil:
		return &DeleteResponse{Pending: pendingFromProto(pending)}, nil
	case result != nil:
		return deleteResultFromProto(result), nil
	}
	return nil, Errorf(ErrorInternal, "connector sent an answer with no outcome")
}
