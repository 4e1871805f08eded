// Package config reads dsrhost's HCL configuration file.
//
// [Load] parses a file (or, with [LoadPaths], several files and directories
// of .hcl files merged into one configuration) and decodes the whole schema
// of the product contract (server, redis, encryption_key, admin_token, results_retention,
// request_type, plugin, integration, smtp, reply_template, manual) into a
// [Config], filling in defaults and checking what the types alone cannot:
// token hashes and roles, addresses and URLs, names of request types, that
// every integration names a declared or built-in plugin, and that depends_on
// names declared integrations without forming a cycle.
//
// Every problem is returned at once as an hcl.Diagnostic whose Subject points
// at the file, line and column at fault; [WriteDiagnostics] prints them with
// a source snippet. A configuration is usable only when the diagnostics hold
// no error.
//
// # Functions
//
// Expressions may call env("NAME"), file("path") (relative to the
// directory of the configuration file that calls it) and trimspace(s). Values that come from
// env() or file() are treated as secrets: no diagnostic ever quotes them.
//
// # Durations
//
// Durations are strings with s, m, h or d units ("90s", "15m", "24h",
// "14d"). A [Duration] keeps the source range of the expression it came from
// so later checks can point at it.
//
// # Integration settings
//
// An integration's settings block is kept undecoded, because its schema
// comes from the plugin's Describe. [DecodeSettings] decodes it against an
// sdk.Schema into the JSON object the connector receives, and
// [SettingRange] turns an attribute path from a connector's Configure
// diagnostic back into a source range.
package config
