package oaicompat

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// flushWorkers counts the goroutines running flushWorker.
func flushWorkers() int {
	buf := make([]byte, 1<<20)
	return strings.Count(string(buf[:runtime.Stack(buf, true)]), "oaicompat.flushWorker(")
}

// openFlushed returns how many streams that flushed are open.
func openFlushed() int {
	flushedStreams.mu.Lock()
	defer flushedStreams.mu.Unlock()
	return flushedStreams.n
}

// TestFlushWorkersEndWithStreams: the flush workers that ran the first
// flushes of concurrent streams end once the streams are closed and the
// linger has passed, so that a program or a test checking for leaked
// goroutines (goleak looks for about 400 ms) finds none.
func TestFlushWorkersEndWithStreams(t *testing.T) {
	// Streams of earlier tests may still be winding down.
	for wait := time.Now().Add(5 * time.Second); openFlushed() > 0; time.Sleep(time.Millisecond) {
		if time.Now().After(wait) {
			t.Fatal("a stream that flushed is still open before the test: an earlier test did not close it")
		}
	}
	release := make(chan struct{})
	var started sync.WaitGroup
	srv := httptest.NewServer(NewHandler(ChatFunc(func(ctx context.Context, _ *ChatRequest, w *ChatWriter) error {
		if err := w.WriteText("first"); err != nil {
			return err
		}
		started.Done()
		<-release
		return w.WriteText(" last")
	})))
	defer srv.Close()
	const n = 16
	started.Add(n)
	var done sync.WaitGroup
	for range n {
		done.Go(func() {
			resp, err := http.Post(srv.URL+"/v1/chat/completions", "application/json",
				strings.NewReader(`{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
			}
		})
	}
	started.Wait()
	if flushWorkers() == 0 {
		t.Fatal("no flush worker while streams that flushed are open: the first flushes ran elsewhere")
	}
	close(release)
	done.Wait()
	deadline := time.Now().Add(250 * time.Millisecond)
	for flushWorkers() > 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if w := flushWorkers(); w > 0 {
		t.Fatalf("%d flush workers left after every stream closed", w)
	}
}

// TestFlushWorkersOutliveAStream: streams one after another share a flush
// worker instead of each starting one (and growing its stack), as they do
// on a server whose core serves one stream at a time.
func TestFlushWorkersOutliveAStream(t *testing.T) {
	srv := httptest.NewServer(NewHandler(ChatFunc(func(_ context.Context, _ *ChatRequest, w *ChatWriter) error {
		return w.WriteText("hi")
	})))
	defer srv.Close()
	const n = 20
	before := flushWorkersStarted.Load()
	for range n {
		resp, err := http.Post(srv.URL+"/v1/chat/completions", "application/json",
			strings.NewReader(`{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || !strings.HasSuffix(string(b), "data: [DONE]\n\n") {
			t.Fatalf("stream %q, %v", b, err)
		}
	}
	// Each stream ended before the next began; a gap longer than the
	// linger (a stalled machine) may start a worker now and then.
	if started := flushWorkersStarted.Load() - before; started > n/2 {
		t.Errorf("%d flush workers started for %d streams in sequence", started, n)
	}
}
