package respond_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/dsrhost/dsrhost/daemon/internal/archive"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
	"github.com/dsrhost/dsrhost/sdk"
)

// memoryPath is one way to send an answer with files, measured by
// TestUploadMemory: it sends files (sizes in bytes) through link and
// returns the integration's label.
type memoryPath struct {
	name string
	// prepare runs before the measurement starts (the whole-message path
	// builds its message there, as a client would hold it anyway).
	prepare func(t *testing.T, e *env, link string, sizes []int) func() string
}

var memoryPaths = []memoryPath{{"answer page", pagePath}, {"SubmitResponse (whole)", unaryPath}}

// upstream is deterministic file content generated as it is read, so the
// client side holds no file.
func upstream(seed uint64, n int) io.Reader {
	return io.LimitReader(rand.NewChaCha8([32]byte{byte(seed)}), int64(n))
}

func pagePath(t *testing.T, e *env, link string, sizes []int) func() string {
	return func() string {
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			_ = mw.WriteField("answer", "files_uploaded")
			for i, n := range sizes {
				part, _ := mw.CreateFormFile("files", fmt.Sprintf("export-%d.bin", i))
				_, _ = io.Copy(part, upstream(uint64(i), n))
			}
			_ = mw.Close()
			_ = pw.Close()
		}()
		req, _ := http.NewRequest(http.MethodPost, link, pr)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("answer page: %d", resp.StatusCode)
		}
		return labelIn(string(b))
	}
}

func unaryPath(t *testing.T, e *env, link string, sizes []int) func() string {
	msg := &adminv1.SubmitResponseRequest{Token: tokenOf(link), Answer: adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_FILES_UPLOADED}
	for i, n := range sizes {
		b, _ := io.ReadAll(upstream(uint64(i), n))
		msg.Files = append(msg.Files, &adminv1.UploadedFile{Name: fmt.Sprintf("export-%d.bin", i), Content: b})
	}
	body, err := proto.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	msg = nil
	return func() string {
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+adminv1connect.DirectContactServiceSubmitResponseProcedure, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/proto")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("SubmitResponse: %d %s", resp.StatusCode, b)
		}
		var out adminv1.SubmitResponseResponse
		if err := proto.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		return out.GetLabel()
	}
}

// labelIn finds the "Complete # of files uploaded" label on the done page.
func labelIn(page string) string {
	i := strings.Index(page, "Complete ")
	if i < 0 {
		return ""
	}
	j := strings.Index(page[i:], "uploaded")
	if j < 0 {
		return ""
	}
	return page[i : i+j+len("uploaded")]
}

// usage is what one upload cost the process (daemon side and test client
// together; the clients stream or hold their message from before).
type usage struct {
	peakHeap, allocated, rssPeak int64
}

// measure runs one upload and returns the heap's peak above the heap
// before it, the bytes allocated during it, and the process's peak RSS
// above its RSS before it (VmHWM, reset through /proc/self/clear_refs).
//
// The collector runs at GOGC=measureGOGC meanwhile, so the heap's peak is
// close to what the upload holds live rather than garbage awaiting the
// next collection (at the default GOGC=100 that slack alone is as large
// as the rest of the heap).
func measure(t *testing.T, run func() string) (usage, string) {
	defer debug.SetGCPercent(debug.SetGCPercent(measureGOGC))
	runtime.GC()
	debug.FreeOSMemory()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	base := heapObjects()
	resetPeakRSS()
	rss0 := procStatus("VmRSS")
	var peak int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				peak = max(peak, heapObjects()-base)
			}
		}
	})
	label := run()
	close(stop)
	wg.Wait()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	return usage{peakHeap: peak, allocated: int64(after.TotalAlloc - before.TotalAlloc), rssPeak: procStatus("VmHWM") - rss0}, label
}

const measureGOGC = 10

// measureExport writes request id's export archive, counting its bytes,
// and returns what that cost in memory. Uploaded content is random, so the
// archive is at least as large as the files.
func measureExport(t *testing.T, e *env, id string, sizes []int) usage {
	t.Helper()
	u, _ := measure(t, func() string {
		ctx := context.Background()
		results, err := e.engine.Results(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var n countingWriter
		if err := archive.Write(ctx, &n, e.get(id), results, archive.Options{Now: time.Now()}); err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, s := range sizes {
			total += s
		}
		if int(n) < total {
			t.Fatalf("export archive of %d bytes, want at least the %d uploaded", n, total)
		}
		return ""
	})
	return u
}

// countingWriter counts what is written to it.
type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

// maxStreamedPeak bounds a streamed upload's heap peak, whatever its size.
const maxStreamedPeak = 16 << 20

var heapSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

func heapObjects() int64 {
	s := heapSample
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// procStatus reads a /proc/self/status size in bytes (0 if unavailable).
func procStatus(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n << 10
		}
	}
	return 0
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// TestUploadMemory measures what one genuine upload costs in memory on
// each path. By default it sends 24 MiB and requires the streamed paths
// to stay far below the upload's size; with DSRHOST_MEASURE_UPLOAD=1 it
// measures the 40 MiB and 100 MiB uploads of issue 13 and prints the table
// (go test -run TestUploadMemory -v).
func TestUploadMemory(t *testing.T) {
	w := newWorld(t)
	cases := []struct {
		name  string
		sizes []int
	}{{"24 MiB", []int{12 << 20, 12 << 20}}}
	if os.Getenv("DSRHOST_MEASURE_UPLOAD") == "1" {
		cases = []struct {
			name  string
			sizes []int
		}{{"40 MiB", []int{20 << 20, 20 << 20}}, {"100 MiB", []int{25 << 20, 25 << 20, 25 << 20, 25 << 20}}}
	}
	var table strings.Builder
	fmt.Fprintf(&table, "%-8s %-24s %12s %12s %12s\n", "upload", "path", "peak heap", "allocated", "peak RSS")
	for _, c := range cases {
		results := map[string]usage{}
		for _, p := range memoryPaths {
			e := w.env(t, envOptions{})
			id := e.request(sdk.RequestAccess)
			link := e.link(id)
			e.waitLabel(id, state.Extracting, "Processing Due in 14 days")
			run := p.prepare(t, e, link, c.sizes)
			u, label := measure(t, run)
			if want := fmt.Sprintf("Complete %d of files uploaded", len(c.sizes)); label != want {
				t.Fatalf("%s: label %q, want %q", p.name, label, want)
			}
			results[p.name] = u
			fmt.Fprintf(&table, "%-8s %-24s %12s %12s %12s\n", c.name, p.name, mib(u.peakHeap), mib(u.allocated), mib(u.rssPeak))
			if p.name == "answer page" {
				// The export of what was uploaded streams too: uploads are
				// copied into the archive a chunk at a time.
				eu := measureExport(t, e, id, c.sizes)
				fmt.Fprintf(&table, "%-8s %-24s %12s %12s %12s\n", c.name, "export archive", mib(eu.peakHeap), mib(eu.allocated), mib(eu.rssPeak))
				if eu.peakHeap > maxStreamedPeak {
					t.Errorf("%s: exporting the upload peaked at %s of heap; an export should hold a few MiB", c.name, mib(eu.peakHeap))
				}
			}
			// Free this upload's Redis memory before the next one.
			ctx := context.Background()
			if keys, err := w.rdb.Keys(ctx, e.prefix+":{"+id+"}:*").Result(); err == nil && len(keys) > 0 {
				_ = w.rdb.Del(ctx, keys...).Err()
			}
		}
		whole := results["SubmitResponse (whole)"]
		for name, u := range results {
			if name == "SubmitResponse (whole)" {
				continue
			}
			fmt.Fprintf(&table, "%-8s %-24s peak heap %.3f of the whole message's, allocated %.3f\n", c.name, name,
				float64(u.peakHeap)/float64(whole.peakHeap), float64(u.allocated)/float64(whole.allocated))
			// Streamed, an upload holds a chunk or a few at a time,
			// whatever its size (measured: 3 MiB for the page, 11 MiB for
			// the stream with its client, for 24 to 100 MiB).
			if u.peakHeap > maxStreamedPeak {
				t.Errorf("%s: %s upload peaked at %s of heap; a streamed upload should hold a few MiB", name, c.name, mib(u.peakHeap))
			}
		}
	}
	t.Logf("memory per upload (daemon side and client, one process, GOGC=%d while measuring):\n%s", measureGOGC, table.String())
}
