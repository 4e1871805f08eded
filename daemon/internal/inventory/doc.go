// Package inventory turns a decoded configuration into running connectors:
// it launches every plugin an integration uses through the plugin host,
// decodes each integration's settings block against its plugin's schema and
// configures it, turning every problem into an HCL diagnostic that points at
// the line at fault. The daemon serves from an Inventory; `dsrhost validate`
// builds one offline and throws it away.
package inventory
