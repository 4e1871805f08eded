package api

import "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"

// unimplementedDirectContact answers unimplemented until the daemon passes
// the Direct Contact handlers in Options.DirectContact.
type unimplementedDirectContact struct {
	adminv1connect.UnimplementedDirectContactServiceHandler
}
