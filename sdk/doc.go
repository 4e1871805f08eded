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
// A complete connector that finds a subject's contacts synchronously and
// deletes them:
//
//	package main
//
//	import (
//		"context"
//		"encoding/json"
//
//		"github.com/dsrhost/dsrhost/sdk"
//	)
//
//	type Contacts struct{ token string }
//
//	var _ sdk.Accessor = (*Contacts)(nil)
//	var _ sdk.Deleter = (*Contacts)(nil)
//
//	func (c *Contacts) Describe(ctx context.Context) (*sdk.Description, error) {
//		return &sdk.Description{
//			Name:         "contacts",
//			Version:      "1.0.0",
//			Type:         sdk.SynchronousAPI,
//			Capabilities: []sdk.Capability{sdk.CapabilityAccess, sdk.CapabilityDelete},
//			Settings: sdk.Schema{Attributes: []sdk.Attribute{
//				{Name: "token", Type: sdk.TypeString, Required: true, Sensitive: true,
//					Description: "API token with read and delete scopes."},
//			}},
//		}, nil
//	}
//
//	func (c *Contacts) Configure(ctx context.Context, req *sdk.ConfigureRequest) (*sdk.ConfigureResponse, error) {
//		var s struct {
//			Token string `json:"token"`
//		}
//		if err := req.Settings.Decode(&s); err != nil {
//			return nil, err
//		}
//		c.token = s.Token
//		return &sdk.ConfigureResponse{}, nil
//	}
//
//	func (c *Contacts) Access(ctx context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
//		// Look the subject up by req.Job.Subject.Email; return what was found.
//		data, _ := json.Marshal(map[string]string{"email": req.Job.Subject.Email})
//		return &sdk.AccessResponse{Records: []sdk.Record{{ID: "c-1", Kind: "contact", Data: data}}}, nil
//	}
//
//	func (c *Contacts) Delete(ctx context.Context, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
//		if c.token == "" {
//			return nil, sdk.Errorf(sdk.ErrorAuth, "no token").WithStatus(401).
//				WithRemediation("Set settings.token to an API token with delete scope.")
//		}
//		return &sdk.DeleteResponse{RecordsDeleted: int64(len(req.Records))}, nil
//	}
//
//	func main() { sdk.Serve(&Contacts{}) }
//
// Jobs are delivered at least once: every job carries an idempotency key,
// and a connector must tolerate seeing the same key twice. Test a connector
// with package sdk/sdktest, which launches the built binary exactly as the
// daemon does.
package sdk
