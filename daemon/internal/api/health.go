package api

import "connectrpc.com/grpchealth"

// SetServing marks the server and every service SERVING or NOT_SERVING,
// for the daemon to say whether it can serve calls (NOT_SERVING while Redis
// is unreachable). After Shutdown it does nothing: a closing server stays
// NOT_SERVING.
func (s *Server) SetServing(serving bool) {
	s.healthMu.Lock()
	defer s.healthMu.Unlock()
	select {
	case <-s.closing:
		return
	default:
	}
	st := grpchealth.StatusNotServing
	if serving {
		st = grpchealth.StatusServing
	}
	s.health.SetStatus("", st)
	for _, name := range healthServices {
		s.health.SetStatus(name, st)
	}
}
