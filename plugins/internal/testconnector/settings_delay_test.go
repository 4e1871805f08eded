package main

import (
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
)

func TestDelaySetting(t *testing.T) {
	s, diags := decodeSettings(sdk.Settings(`{"token":"t","delay":"50ms"}`))
	if len(diags) != 0 || s.Delay != 50*time.Millisecond {
		t.Errorf("delay 50ms: got %v, %+v", s.Delay, diags)
	}
	_, diags = decodeSettings(sdk.Settings(`{"token":"t","delay":"soon"}`))
	if len(diags) != 1 || diags[0].Path[0] != "delay" {
		t.Errorf("bad delay: %+v", diags)
	}
}
