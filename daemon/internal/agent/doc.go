// Package agent is the running daemon: it joins the configuration, Redis,
// the plugin host, the inventory of configured integrations, the workflow
// engine and the admin API, and owns their lifecycle: start in order, reload
// on SIGHUP without dropping work, and shut down gracefully on SIGTERM.
package agent
