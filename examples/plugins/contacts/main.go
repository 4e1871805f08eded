// Command contacts is a complete dsrhost connector: access and per-record deletion on a bearer-token REST API (the demo CRM).
package main

import (
	"context"
	"encoding/json"
	"net/url"

	"github.com/dsrhost/dsrhost/sdk"
	"github.com/dsrhost/dsrhost/sdk/sdkhttp"
)

type contacts struct{ api *sdkhttp.Client }

func (c *contacts) Describe(context.Context) (*sdk.Description, error) {
	return &sdk.Description{Name: "contacts", Version: "1.0.0", Type: sdk.SynchronousAPI, Capabilities: []sdk.Capability{sdk.CapabilityAccess, sdk.CapabilityDelete},
		Settings: sdk.Schema{Attributes: []sdk.Attribute{
			{Name: "url", Type: sdk.TypeString, Required: true, Description: "The API's address, such as https://crm.example/v1."},
			{Name: "token", Type: sdk.TypeString, Required: true, Sensitive: true, Description: "A token with contacts.read and contacts.write."}}}}, nil
}

func (c *contacts) Configure(ctx context.Context, req *sdk.ConfigureRequest) (*sdk.ConfigureResponse, error) {
	var s struct{ URL, Token string }
	err := req.Settings.Decode(&s) // cannot fail: the sdk checked the settings against the schema
	c.api = &sdkhttp.Client{BaseURL: s.URL, Service: "the CRM", Header: sdkhttp.Bearer(s.Token)}
	return sdk.CheckCredentials(req, []string{"token"}, func() error { return c.api.Do(ctx, "GET", "/me", nil, nil) }), err
}

func (c *contacts) Access(ctx context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
	var page struct{ Results []json.RawMessage }
	err := c.api.Do(ctx, "GET", "/contacts?limit=100&email="+url.QueryEscape(req.Job.Subject.Email), nil, &page)
	return &sdk.AccessResponse{Records: sdk.JSONRecords("contact", "id", page.Results)}, err
}

func (c *contacts) Delete(ctx context.Context, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
	for _, r := range req.Records { // a record already gone (404) counts as deleted: a job may come twice
		if err := c.api.Do(ctx, "DELETE", "/contacts/"+url.PathEscape(r.ID), nil, nil); err != nil && !sdkhttp.IsNotFound(err) {
			return nil, err
		}
	}
	return &sdk.DeleteResponse{RecordsDeleted: int64(len(req.Records))}, nil
}

func main() { sdk.Serve(func() *contacts { return &contacts{} }) }
