package connector

import (
	"context"
	"encoding/json"

	"github.com/dsrhost/dsrhost/sdk"
)

// Access returns the subject's rows across the dataset, one record per
// row ("table:primary key"), with the access columns as data, and the
// identifiers the dataset exports, with every value found
// (sdk.JoinIdentifierValues: one value as itself, several as a JSON array).
func (c *SQL) Access(ctx context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
	in, err := c.integration(req.Job.Integration)
	if err != nil {
		return nil, err
	}
	tables, err := in.walk(ctx, in.db, req.Job.Subject, forAccess)
	if err != nil {
		return nil, classify(err, in.d, "find the subject's rows")
	}
	resp := &sdk.AccessResponse{Records: []sdk.Record{}}
	found := map[string][]string{} // identifier -> values, in the order found
	for _, f := range tables {
		access := f.table.Columns
		if access == nil {
			access = f.info.names()
		}
		for _, r := range f.rows {
			data := make(map[string]any, len(access))
			for _, col := range access {
				data[col] = f.value(r, col)
			}
			raw, err := json.Marshal(data)
			if err != nil {
				return nil, sdk.Errorf(sdk.ErrorInternal, "encode a row of table %q: %v", f.table.Name, err)
			}
			resp.Records = append(resp.Records, sdk.Record{ID: f.table.Name + ":" + r.key, Kind: f.table.Name, Data: raw})
		}
		for _, e := range f.table.Identifiers {
			for _, r := range f.rows {
				if v := f.value(r, e.Column); v != nil {
					found[e.Identifier] = append(found[e.Identifier], keyText(v))
				}
			}
		}
	}
	for id, values := range found {
		if resp.Identifiers == nil {
			resp.Identifiers = map[string]string{}
		}
		resp.Identifiers[id] = sdk.JoinIdentifierValues(values)
	}
	return resp, nil
}
