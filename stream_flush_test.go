package oaicompat

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// handOffFlushes sends every first flush to a flush worker until the test
// ends.
func handOffFlushes(t *testing.T) {
	saved := directFlushStreams.Swap(0)
	t.Cleanup(func() { directFlushStreams.Store(saved) })
}

// waitStreamsClosed waits for the streams of earlier tests, which may
// still be winding down, to close.
func waitStreamsClosed(t *testing.T) {
	t.Helper()
	for wait := time.Now().Add(5 * time.Second); openFlushed() > 0; time.Sleep(time.Millisecond) {
		if time.Now().After(wait) {
			t.Fatal("a stream that flushed is still open before the test: an earlier test did not close it")
		}
	}
}

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
	waitStreamsClosed(t)
	handOffFlushes(t)
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
	handOffFlushes(t)
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

// workerFlusher records, for each Flush, whether a flush worker ran it.
type workerFlusher struct {
	*httptest.ResponseRecorder
	onWorker []bool
}

func (w *workerFlusher) Flush() {
	buf := make([]byte, 64<<10)
	w.onWorker = append(w.onWorker, strings.Contains(string(buf[:runtime.Stack(buf, false)]), "oaicompat.flushWorker("))
	w.ResponseRecorder.Flush()
}

// TestFirstFlushWhere: while few streams are open, a first flush runs on
// the writer's goroutine (handing it over woke an idle thread per stream);
// past directFlushStreams, on a flush worker. Later flushes always run on
// the writer's goroutine.
func TestFirstFlushWhere(t *testing.T) {
	for _, handOff := range []bool{false, true} {
		t.Run(map[bool]string{false: "few streams", true: "many streams"}[handOff], func(t *testing.T) {
			waitStreamsClosed(t)
			if handOff {
				handOffFlushes(t)
			}
			h := NewHandler(ChatFunc(func(_ context.Context, _ *ChatRequest, w *ChatWriter) error {
				return w.WriteText("hi")
			}))
			w := &workerFlusher{ResponseRecorder: httptest.NewRecorder()}
			h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/v1/chat/completions",
				strings.NewReader(`{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`)))
			if body := w.Body.String(); !strings.Contains(body, `"content":"hi"`) || !strings.HasSuffix(body, "data: [DONE]\n\n") {
				t.Fatalf("stream %q", body)
			}
			if len(w.onWorker) < 3 || w.onWorker[0] != handOff || slices.Contains(w.onWorker[1:], true) {
				t.Errorf("flushes on a worker: %v, want the first only when handed over (%v)", w.onWorker, handOff)
			}
		})
	}
}

// panickyFlusher panics on Flush, as echo's Response does when the write
// under it failed.
type panickyFlusher struct{ http.ResponseWriter }

func (panickyFlusher) Flush() { panic("flushing failed") }

// TestFirstFlushPanics: a panic in the first flush reaches the handler's
// goroutine, whether the flush ran there or on a worker, and the handler
// returns (no stream lock is left held).
func TestFirstFlushPanics(t *testing.T) {
	for _, handOff := range []bool{false, true} {
		t.Run(map[bool]string{false: "direct", true: "worker"}[handOff], func(t *testing.T) {
			if handOff {
				handOffFlushes(t)
			}
			h := NewHandler(ChatFunc(func(_ context.Context, _ *ChatRequest, w *ChatWriter) error {
				return w.WriteText("hi")
			}), WithLogger(slog.New(slog.DiscardHandler)))
			done := make(chan struct{})
			go func() {
				defer close(done)
				req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions",
					strings.NewReader(`{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
				h.ServeHTTP(panickyFlusher{httptest.NewRecorder()}, req)
			}()
			select {
			case <-done:
			case <-time.After(30 * time.Second): // a bound for a hang, not a timing assertion
				t.Fatal("ServeHTTP did not return after the first flush panicked")
			}
		})
	}
}
