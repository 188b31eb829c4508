package oaicompat

import (
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"

	"github.com/oaicompat/oaicompat/internal/testenv"
)

// TestHeldStreamStack guards what a held stream costs in goroutine stack,
// at its peak and after a GC. A plain handler's request goroutine keeps an
// 8 KiB stack (net/http's read goroutine adds 2 KiB). Two things would
// grow ours to 16 KiB:
//
//   - the first flush, where net/http writes the headers in a 2.8 KiB
//     frame under the backend's write: eventStream.flushFirst runs it on a
//     goroutine of its own (without, the peak was 20 KiB per stream, and
//     the process kept the freed stacks);
//   - decoding, which the frames must leave small enough: the runtime
//     halves a stack at a GC only while less than a quarter of it is in
//     use, so the frames under a waiting backend must stay under about
//     3.3 KiB (bench/run.sh measured 18 KiB per stream after GC before
//     they were made small).
//
// The streams are held through raw connections, so that no client
// goroutine counts.
func TestHeldStreamStack(t *testing.T) {
	if testenv.Race {
		t.Skip("the race detector enlarges frames; CI runs this test without it")
	}
	handOffFlushes(t) // the first flush of all of them, not only past the 64th stream
	const n = 200
	body := typicalRequest // a 1.1 KB streamed chat request with a strict tool
	release := make(chan struct{})
	var held sync.WaitGroup
	h := NewHandler(ChatFunc(func(ctx context.Context, _ *ChatRequest, w *ChatWriter) error {
		if err := w.WriteText("held"); err != nil {
			return err
		}
		held.Done()
		select {
		case <-release:
		case <-ctx.Done():
		}
		return nil
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	open := func() net.Conn {
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "POST /v1/chat/completions HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		return c
	}
	// One stream first, so that what is compiled once (the tool's schema)
	// is not counted.
	held.Add(1)
	first := open()
	held.Wait()

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	// No GC until the peak is read: it would shrink the stacks.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	held.Add(n)
	conns := make([]net.Conn, n)
	for i := range conns {
		conns[i] = open()
	}
	held.Wait()
	var peak runtime.MemStats
	runtime.ReadMemStats(&peak)
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	close(release)
	for _, c := range append(conns, first) {
		c.Close()
	}
	atPeak := float64(peak.StackInuse-before.StackInuse) / n / 1024
	perStream := float64(after.StackInuse-before.StackInuse) / n / 1024
	t.Logf("goroutine stack per held stream: %.1f KiB at the peak, %.1f KiB after GC", atPeak, perStream)
	if atPeak > 14 {
		t.Errorf("held streams took %.1f KiB of goroutine stack each, want about 10: a request's goroutine grew past 8 KiB (the first flush on it?)", atPeak)
	}
	// 8 KiB for the handler's goroutine and 2 KiB for net/http's read
	// goroutine when the stack shrinks; 18 when it does not.
	if perStream > 13 {
		t.Errorf("a held stream keeps %.1f KiB of goroutine stack after GC, want about 10: the frames under a waiting backend grew past a quarter of 16 KiB", perStream)
	}
}
