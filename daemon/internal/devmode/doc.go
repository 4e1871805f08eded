// Package devmode is what `dsrhost server -dev` runs beside the daemon: an
// embedded Redis (miniredis, its clock advanced on a ticker because it
// expires keys only when told), the demo services the example integrations
// talk to (a CRM for genericrest, a Heap API stand-in, a mail sink that logs
// each Direct Contact email with its response link), and a configuration
// generated for them with the shipped plugins' checksums computed at start
// and a root token. Nothing here is for production.
package devmode
