// Package sdktest is the conformance harness for dsrhost connectors: one
// `go test` builds the connector, launches it through go-plugin exactly as
// the daemon does (SHA-256 checked, AutoMTLS, gRPC only) and checks
// Describe, Configure with missing and wrong settings and with
// ValidateOnly, two integrations in one process each reaching its own
// settings, idempotency (the same job key twice, records compared as a
// set), the shape of errors and that none quotes the subject or a
// sensitive value, and that polling reaches a terminal state. The binary
// may be written in any language: a script launching it will do.
//
// A connector's whole conformance test:
//
//	package main
//
//	import (
//		"testing"
//
//		"github.com/dsrhost/dsrhost/sdk/sdktest"
//	)
//
//	func TestConformance(t *testing.T) {
//		sdktest.Run(t, sdktest.Config{
//			Binary:         sdktest.Build(t, "."),
//			ValidSettings:  map[string]any{"token": "test-token", "base_url": fakeAPI(t).URL},
//			SecondSettings: map[string]any{"token": "other-token", "base_url": fakeAPI(t).URL},
//			InvalidSettings: []sdktest.SettingsCase{
//				{Name: "refused token", Settings: map[string]any{"token": "revoked"}, WantPath: []string{"token"}},
//			},
//		})
//	}
//
// Run reports each broken rule with t.Errorf, so one run lists everything
// to fix, and logs what it checked. Point ValidSettings at a local fake of the third party's API
// (an httptest.Server following its published API): the jobs really run.
package sdktest
