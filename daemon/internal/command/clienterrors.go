package command

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"connectrpc.com/connect"
)

// explain turns an error from the admin API into a message that says what
// went wrong and what to do next.
func explain(err error, address, cmd string) string {
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("could not connect to dsrhost at %s: connection refused.\n\n"+
			"Is `dsrhost server` running there? Start one with `dsrhost server -dev`, or set\n"+
			"DSRHOST_ADDR (or -address) to where it listens.", address)
	case errors.As(err, &unknownCA):
		return fmt.Sprintf("the certificate of %s is not signed by a trusted CA.\n\n"+
			"Set DSRHOST_CACERT (or -ca-cert) to the PEM file of the CA that signed it.", address)
	case errors.As(err, &hostname):
		return fmt.Sprintf("the certificate of %s is not valid for that host: %v.\n\n"+
			"Use the host name the certificate names in DSRHOST_ADDR (or -address).", address, hostname)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Sprintf("could not resolve the host of %s: %v.\n\nCheck DSRHOST_ADDR (or -address).", address, dnsErr)
	}
	var ce *connect.Error
	if !errors.As(err, &ce) {
		return err.Error()
	}
	msg := strings.TrimRight(ce.Message(), ".")
	if msg == "" {
		msg = ce.Code().String()
	}
	switch ce.Code() {
	case connect.CodeUnauthenticated:
		return msg + ".\n\nSet DSRHOST_TOKEN (or -token) to an admin token: the token itself, whose\n" +
			"SHA-256 an admin_token block of the daemon's configuration holds."
	case connect.CodePermissionDenied:
		return msg + ".\n\nUse a token whose admin_token block has that role (viewer < operator < admin)."
	case connect.CodeNotFound:
		if strings.HasPrefix(cmd, "integration") {
			return msg + ".\n\nList requests with `dsrhost request list` and integrations with\n`dsrhost integration list`."
		}
		return msg + ".\n\nList requests with `dsrhost request list`."
	case connect.CodeFailedPrecondition:
		return msg + ".\n\nSee where the request is with `dsrhost request get ID`."
	case connect.CodeInvalidArgument:
		return msg + fmt.Sprintf(".\n\nRun `dsrhost %s -h` for usage.", cmd)
	case connect.CodeUnavailable:
		if errors.Is(err, syscall.ECONNRESET) || strings.Contains(msg, "EOF") {
			return fmt.Sprintf("the connection to %s broke: %s.\n\nIs it a dsrhost admin API? Check DSRHOST_ADDR (or -address), and use https:// if it serves TLS.", address, msg)
		}
		return msg + "."
	case connect.CodeDeadlineExceeded:
		return fmt.Sprintf("dsrhost at %s did not answer in time: %s.", address, msg)
	case connect.CodeUnimplemented:
		return msg + ".\n\nThe daemon at that address may be an older version than this CLI."
	case connect.CodeInternal:
		return msg + "."
	}
	return fmt.Sprintf("%s (%s).", msg, ce.Code())
}
