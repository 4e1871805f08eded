// Command dsrhost-plugin-directcontact is the Direct Contact connector: it
// emails a processor each access or deletion request and lets the daemon
// collect the answer through a signed link. The daemon launches it; it is not
// run by hand.
package main

import (
	"github.com/dsrhost/dsrhost/plugins/directcontact/connector"
	"github.com/dsrhost/dsrhost/sdk"
)

func main() { sdk.Serve(func() *connector.Connector { return connector.New() }) }
