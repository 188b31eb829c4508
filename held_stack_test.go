package oaicompat

import (
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"

	"github.com/oaicompat/oaicompat/internal/testenv"
)

// TestHeldStreamStack guards what a held stream costs in goroutine stack.
// Decoding a request grows the goroutine's stack to 16 KiB; the runtime
// halves it at a GC only while less than a quarter of it is in use. So the
// frames under a backend that waits (the request path, the writer, the
// backend's call) must stay under about 3.3 KiB, or every held stream
// keeps 16 KiB instead of the 8 KiB a plain handler's does (bench/run.sh
// measured 18 KiB per stream, with net/http's read goroutine, before they
// were made small). The streams are held through raw connections, so that
// no client goroutine counts.
func TestHeldStreamStack(t *testing.T) {
	if testenv.Race {
		t.Skip("the race detector enlarges frames; CI runs this test without it")
	}
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
	held.Add(n)
	conns := make([]net.Conn, n)
	for i := range conns {
		conns[i] = open()
	}
	held.Wait()
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	close(release)
	for _, c := range append(conns, first) {
		c.Close()
	}
	perStream := float64(after.StackInuse-before.StackInuse) / n / 1024
	t.Logf("goroutine stack per held stream after GC: %.1f KiB", perStream)
	// 8 KiB for the handler's goroutine and 2 KiB for net/http's read
	// goroutine when the stack shrinks; 18 when it does not.
	if perStream > 13 {
		t.Errorf("a held stream keeps %.1f KiB of goroutine stack after GC, want about 10: the frames under a waiting backend grew past a quarter of 16 KiB", perStream)
	}
}
