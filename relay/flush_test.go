package relay_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/relay"
)

// flushWriter records, for a streamed response, the bytes written and the
// bytes flushed so far, and the number of flushes.
type flushWriter struct {
	h       http.Header
	status  int
	written int
	flushed int // written, as of the last flush
	flushes int
}

func (w *flushWriter) Header() http.Header { return w.h }
func (w *flushWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *flushWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.written += len(p)
	return len(p), nil
}
func (w *flushWriter) FlushError() error { w.flushes++; w.flushed = w.written; return nil }

// watchedReader hands out one upstream's bytes in the given reads and, at
// each Read after the first, records whether the client had been sent
// (flushed) everything written to it: no event may wait for the next
// upstream read.
type watchedReader struct {
	reads   [][]byte
	w       *flushWriter
	n       int
	pending []int // bytes written but not flushed, at each Read
}

func (r *watchedReader) Read(p []byte) (int, error) {
	if r.n > 0 {
		r.pending = append(r.pending, r.w.written-r.w.flushed)
	}
	if r.n == len(r.reads) {
		return 0, io.EOF
	}
	n := copy(p, r.reads[r.n])
	if n < len(r.reads[r.n]) {
		panic("test read larger than the buffer")
	}
	r.n++
	return n, nil
}

type watchedTransport struct{ body *watchedReader }

func (t watchedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"text/event-stream"}},
		Body: io.NopCloser(t.body), ContentLength: -1, Request: req}, nil
}

// TestFlushCoalescing: under relay.Headers, the events one upstream read
// brings are flushed together, and everything is flushed before each
// further read; without the middleware every event is flushed.
func TestFlushCoalescing(t *testing.T) {
	var events []string
	for i := 0; i < 8; i++ {
		events = append(events, `data: {"choices":[{"index":0,"delta":{"content":"w`+string(rune('0'+i))+` "},"finish_reason":null}]}`+"\n\n")
	}
	events = append(events, `data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`+"\n\n", "data: [DONE]\n\n")
	all := strings.Join(events, "")
	byEvent := make([][]byte, len(events))
	for i, e := range events {
		byEvent[i] = []byte(e)
	}
	// The third event split inside its line: the reader reads again before
	// the event is whole.
	split := [][]byte{[]byte(events[0] + events[1] + events[2][:20]), []byte(events[2][20:]), []byte(strings.Join(events[3:], ""))}
	for _, tc := range []struct {
		name       string
		reads      [][]byte
		headers    bool
		maxFlushes int // at most, with the handler's final ones
		minFlushes int
	}{
		{"one read", [][]byte{[]byte(all)}, true, 3, 1},
		{"one event per read", byEvent, true, len(events) + 2, len(events) - 2},
		{"split event", split, true, 5, 2},
		{"without Headers", [][]byte{[]byte(all)}, false, len(events) + 3, len(events) - 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := &flushWriter{h: http.Header{}}
			body := &watchedReader{reads: tc.reads, w: w}
			r, err := relay.New([]relay.Upstream{{BaseURL: "http://upstream.invalid/v1", Transport: watchedTransport{body}}},
				relay.WithLogger(slog.New(slog.DiscardHandler)))
			if err != nil {
				t.Fatal(err)
			}
			var h http.Handler = oaicompat.NewHandler(r, oaicompat.WithAnyModel(), oaicompat.WithoutOutputChecks(),
				oaicompat.WithKeepAlive(0), oaicompat.WithLogger(slog.New(slog.DiscardHandler)))
			if tc.headers {
				h = relay.Headers(h)
			}
			req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/v1/chat/completions",
				bytes.NewReader([]byte(`{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`)))
			req.Header.Set("Content-Type", "application/json")
			h.ServeHTTP(w, req)
			if w.status != http.StatusOK {
				t.Fatalf("status %d", w.status)
			}
			for i, p := range body.pending {
				if p != 0 {
					t.Errorf("upstream read %d: %d bytes written to the client were not flushed", i+2, p)
				}
			}
			if w.flushed != w.written {
				t.Errorf("%d of %d bytes never flushed", w.written-w.flushed, w.written)
			}
			if w.flushes > tc.maxFlushes || w.flushes < tc.minFlushes {
				t.Errorf("%d flushes, want %d to %d", w.flushes, tc.minFlushes, tc.maxFlushes)
			}
		})
	}
}
