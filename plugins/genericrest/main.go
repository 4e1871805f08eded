// Command dsrhost-plugin-genericrest is the genericrest connector: any HTTP
// JSON API, configured entirely in an integration's settings block. The
// daemon launches it; it is not meant to be run by hand.
package main

import (
	"github.com/dsrhost/dsrhost/plugins/genericrest/connector"
	"github.com/dsrhost/dsrhost/sdk"
)

func main() { sdk.Serve(connector.New) }
