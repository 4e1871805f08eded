// Package reply answers a privacy request's subject: it fills the reply from
// the configuration's reply_template for the request type (or "rejected"),
// a text/template over the request, keeps what the operator edited, and
// sends it by SMTP through the smtp block.
package reply
