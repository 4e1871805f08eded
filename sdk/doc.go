// Package sdk is the one package a dsrhost connector author imports.
//
// A connector is a small program, built as dsrhost-plugin-<name>, that the
// dsrhost daemon launches and talks to over gRPC through HashiCorp go-plugin.
// The author implements [Connector] (Describe and Configure) plus the opt-in
// interfaces for what the connector can do ([Accessor], [AccessPoller],
// [Deleter], [DeletePoller]) and calls [Serve] from main. Nothing here exposes
// the wire protocol: arguments are Request and Response structs, so fields can
// be added without breaking connectors.
//
// One plugin process serves every integration that uses the plugin. [Serve]
// takes the connector's constructor and gives each integration its own
// value, configured with that integration's settings alone; every job
// reaches the value of the integration it names. A connector therefore
// keeps its settings on its struct, as below. Before Configure, the sdk
// checks the settings against the schema Describe declares (required
// attributes, types, nested blocks, defaults) and answers the diagnostics
// itself: Configure only checks what a schema cannot say. Package
// sdk/sdkhttp turns a REST API's answers into [Error] values.
//
// A complete connector (examples/plugins/contacts) that finds a subject's
// contacts in a bearer-token REST API and deletes them record by record:
//
//	type contacts struct{ api *sdkhttp.Client }
//
//	func (c *contacts) Describe(context.Context) (*sdk.Description, error) {
//		return &sdk.Description{Name: "contacts", Version: "1.0.0", Type: sdk.SynchronousAPI,
//			Capabilities: []sdk.Capability{sdk.CapabilityAccess, sdk.CapabilityDelete},
//			Settings: sdk.Schema{Attributes: []sdk.Attribute{
//				{Name: "url", Type: sdk.TypeString, Required: true, Description: "The API's address."},
//				{Name: "token", Type: sdk.TypeString, Required: true, Sensitive: true, Description: "An API token."}}}}, nil
//	}
//
//	func (c *contacts) Configure(ctx context.Context, req *sdk.ConfigureRequest) (*sdk.ConfigureResponse, error) {
//		var s struct{ URL, Token string }
//		err := req.Settings.Decode(&s) // the sdk checked the settings against the schema
//		c.api = &sdkhttp.Client{BaseURL: s.URL, Service: "the CRM", Header: sdkhttp.Bearer(s.Token)}
//		return sdk.CheckCredentials(req, []string{"token"}, func() error { return c.api.Do(ctx, "GET", "/me", nil, nil) }), err
//	}
//
//	func (c *contacts) Access(ctx context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
//		var page struct{ Results []json.RawMessage }
//		err := c.api.Do(ctx, "GET", "/contacts?email="+url.QueryEscape(req.Job.Subject.Email), nil, &page)
//		return &sdk.AccessResponse{Records: sdk.JSONRecords("contact", "id", page.Results)}, err
//	}
//
//	func (c *contacts) Delete(ctx context.Context, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
//		for _, r := range req.Records { // a record already gone (404) counts as deleted: a job may come twice
//			if err := c.api.Do(ctx, "DELETE", "/contacts/"+url.PathEscape(r.ID), nil, nil); err != nil && !sdkhttp.IsNotFound(err) {
//				return nil, err
//			}
//		}
//		return &sdk.DeleteResponse{RecordsDeleted: int64(len(req.Records))}, nil
//	}
//
//	func main() { sdk.Serve(func() *contacts { return &contacts{} }) }
//
// Jobs are delivered at least once: every job carries an idempotency key,
// the same for every delivery and attempt of the same job, and a connector
// must answer a repeat as it answered the first and do no work twice.
// Errors must hold no personal data and no secret (the daemon redacts the
// subject's identifiers and sensitive settings anyway). Test a connector
// with package sdk/sdktest, which launches the built binary exactly as the
// daemon does. docs/plugin-protocol.md describes the wire protocol for
// connectors written in other languages.
package sdk
