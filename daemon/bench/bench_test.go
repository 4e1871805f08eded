package bench

import (
	"fmt"
	"os"
	"runtime"
	"testing"
)

// section is one goal of the issue: a sub-benchmark returning its rows.
type section struct {
	name string
	run  func(b *testing.B, w *world) []Row
}

var sections = []section{
	{"throughput", benchThroughput},
	{"plugin_call", benchPluginCall},
	{"scale", benchScale},
	{"idle", benchIdle},
	{"start", benchStart},
	{"sql_erase", benchSQLErase},
	{"flow", benchFlow},
}

// BenchmarkDSRHost runs every section once (`-benchtime 1x`; each does a
// fixed amount of work whatever b.N is) and prints the table. Run one
// section with -bench 'DSRHost/<name>'.
func BenchmarkDSRHost(b *testing.B) {
	w := newWorld(b)
	got := map[string][]Row{}
	for _, s := range sections {
		b.Run(s.name, func(b *testing.B) { got[s.name] = s.run(b, w) })
	}
	t := &Table{Title: fmt.Sprintf("dsrhost against its anchors (%s/%s, %d CPUs, %s)",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())}
	for _, s := range sections {
		t.Rows = append(t.Rows, got[s.name]...)
	}
	if err := t.Write(os.Stdout); err != nil {
		b.Fatal(err)
	}
}
