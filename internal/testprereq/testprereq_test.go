package testprereq

import (
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestFind covers PATH names, globs (highest match first) and absence.
func TestFind(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []string{"13", "15"} {
		bin := filepath.Join(dir, v, "bin")
		if err := os.MkdirAll(bin, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bin, "initdb"), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", filepath.Join(dir, "13", "bin"))
	tests := []struct {
		name  string
		names []string
		want  string
		ok    bool
	}{
		{"in PATH", []string{"initdb"}, filepath.Join(dir, "13", "bin", "initdb"), true},
		{"glob takes the highest", []string{filepath.Join(dir, "*", "bin", "initdb")}, filepath.Join(dir, "15", "bin", "initdb"), true},
		{"first found wins", []string{"no-such-binary", "initdb"}, filepath.Join(dir, "13", "bin", "initdb"), true},
		{"missing", []string{"no-such-binary", filepath.Join(dir, "*", "nothing")}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Find(tt.names...)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Find(%v) = %q, %v; want %q, %v", tt.names, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// recorder is a testing.TB that records whether Missing skipped or failed.
type recorder struct {
	testing.TB
	skipped, failed bool
}

func (r *recorder) Helper()      {}
func (r *recorder) Skip(...any)  { r.skipped = true; runtime.Goexit() }
func (r *recorder) Fatal(...any) { r.failed = true; runtime.Goexit() }

// TestMissing: a missing prerequisite fails the test, except under -short.
func TestMissing(t *testing.T) {
	short := flag.Lookup("test.short").Value.String()
	t.Cleanup(func() { _ = flag.Set("test.short", short) })
	for _, tt := range []struct {
		short       string
		skip, fails bool
	}{{"false", false, true}, {"true", true, false}} {
		if err := flag.Set("test.short", tt.short); err != nil {
			t.Fatal(err)
		}
		r := &recorder{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			Command(r, "nothing", "no-such-binary")
		}()
		<-done
		if r.skipped != tt.skip || r.failed != tt.fails {
			t.Errorf("-short=%s: skipped %v failed %v; want %v %v", tt.short, r.skipped, r.failed, tt.skip, tt.fails)
		}
	}
}
