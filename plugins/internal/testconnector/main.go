// Command testconnector is a dsrhost connector plugin for dsrhost's own
// tests: it plays a third party of the integration type picked with -type,
// and its settings make it fail, crash or stay pending on demand.
//
//	testconnector -type sync|async|whole_record|direct_contact
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/dsrhost/dsrhost/sdk"
)

// types maps -type to the integration type the connector describes.
var types = map[string]sdk.IntegrationType{
	"sync":           sdk.SynchronousAPI,
	"async":          sdk.AsynchronousAPI,
	"whole_record":   sdk.WholeRecordDeletionAPI,
	"direct_contact": sdk.DirectContact,
}

func main() {
	name := flag.String("type", "sync", "integration type: sync, async, whole_record or direct_contact")
	flag.Parse()
	typ, ok := types[*name]
	if !ok {
		fmt.Fprintf(os.Stderr, "[ERROR] testconnector: unknown -type %q: want sync, async, whole_record or direct_contact\n", *name)
		os.Exit(2)
	}
	stop := startProfile()
	defer stop()
	sdk.Serve(func() *connector { return newConnector(typ, os.Exit) })
}
