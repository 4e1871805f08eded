// Command dsrhost-plugin-heap is dsrhost's Heap connector: asynchronous
// whole-record deletion through Heap's User Deletion API. The daemon
// launches it; run by hand it only explains that.
package main

import (
	"github.com/dsrhost/dsrhost/plugins/heap/connector"
	"github.com/dsrhost/dsrhost/sdk"
)

func main() { sdk.Serve(func() *connector.Heap { return connector.New() }) }
