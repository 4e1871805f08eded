package engine

import (
	"fmt"

	"github.com/hashicorp/go-hclog"
)

// asynqLogger routes asynq's logs through hclog. asynq logs task ids,
// which name requests and integrations but hold no personal data.
type asynqLogger struct{ l hclog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a asynqLogger) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }

// Fatal logs at error level: a library must not end the daemon.
func (a asynqLogger) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...)) }
