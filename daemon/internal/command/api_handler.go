package command

import (
	"net/http"

	"connectrpc.com/grpchealth"
	"github.com/dsrhost/dsrhost/daemon/internal/agent"
	"github.com/hashicorp/go-hclog"
)

// apiHandler builds the admin API's handler over the agent.
func apiHandler(a *agent.Agent, logger hclog.Logger) (http.Handler, error) {
	mux := http.NewServeMux()
	mux.Handle(grpchealth.NewHandler(grpchealth.NewStaticChecker()))
	return mux, nil
}
