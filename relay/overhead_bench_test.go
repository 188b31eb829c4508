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

// BenchmarkOverhead measures the relay's own work per request, with no
// network: the client's request goes straight into the handler's
// ServeHTTP (relay.Headers around oaicompat.NewHandler around a Relay),
// and the upstream is a RoundTripper answering recorded bytes from memory.
// What it counts: the handler's decoding and validation, routing and
// health, the body rewrite, building the upstream request, reading and
// parsing the upstream's answer, re-encoding it for the client. What it
// leaves out: both HTTP hops (sockets, net/http's own parsing and
// writing), which relay/internal/relaybench measures. Run with -benchmem:
// allocations per request are the figure to watch, and cpu-ns/op (the
// process's CPU time per request, garbage collection included) varies far
// less than ns/op on a busy machine.
//
//	go test -run '^$' -bench Overhead -benchmem ./relay
//
// Sub-benchmarks: a non-streamed answer; a stream of 16 chunks the
// upstream sends in one read (flushes can be coalesced); the same stream
// one event per read (each chunk flushed on its own); a stream of tool
// call fragments with a usage chunk.
func BenchmarkOverhead(b *testing.B) {
	answer := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 24)
	text := oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		for i := 0; i < 16; i++ {
			if err := w.WriteText(answer[i*len(answer)/16 : (i+1)*len(answer)/16]); err != nil {
				return err
			}
		}
		w.SetUsage(oaicompat.Usage{PromptTokens: 20, CompletionTokens: 300})
		return nil
	})
	tools := oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		i, err := w.StartToolCall("call_1", "get_weather")
		if err != nil {
			return err
		}
		for _, frag := range []string{`{"ci`, `ty":`, ` "Par`, `is", `, `"unit`, `": "c"}`} {
			if err := w.WriteToolCallArguments(i, frag); err != nil {
				return err
			}
		}
		w.SetUsage(oaicompat.Usage{PromptTokens: 20, CompletionTokens: 12})
		return w.Finish("tool_calls")
	})
	chat := `{"model":"fixed","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say something about foxes and dogs, please."}],"temperature":0.2}`
	streamed := `{"model":"fixed","stream":true,"messages":[{"role":"user","content":"Say something."}]}`
	for _, bc := range []struct {
		name    string
		backend oaicompat.Backend
		body    string
		split   bool // one upstream event per read
	}{
		{"nonstream", text, chat, false},
		{"stream", text, streamed, false},
		{"stream-paced", text, streamed, true},
		{"stream-tools", tools, streamed, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			up := recordUpstream(b, bc.backend, bc.body)
			r, err := relay.New([]relay.Upstream{{BaseURL: "http://upstream.invalid/v1", Transport: &memTransport{body: up, split: bc.split}}},
				relay.WithLogger(slog.New(slog.DiscardHandler)))
			if err != nil {
				b.Fatal(err)
			}
			h := relay.Headers(oaicompat.NewHandler(r, oaicompat.WithAnyModel(), oaicompat.WithoutOutputChecks(),
				oaicompat.WithKeepAlive(0), oaicompat.WithLogger(slog.New(slog.DiscardHandler))))
			body := []byte(bc.body)
			w := &discardWriter{h: http.Header{}}
			serve := func() {
				req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				clear(w.h)
				w.status, w.n = 0, 0
				h.ServeHTTP(w, req)
				if w.status != http.StatusOK || w.n == 0 {
					b.Fatalf("status %d, %d bytes", w.status, w.n)
				}
			}
			serve()
			b.ReportAllocs()
			b.ResetTimer()
			cpu := processCPU()
			for b.Loop() {
				serve()
			}
			if cpu > 0 {
				b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
			}
		})
	}
}

// recordUpstream returns what an oaicompat handler serving backend answers
// to the chat request body (stream_options.include_usage set for a stream,
// as the relay asks): the bytes a real upstream sends.
func recordUpstream(b *testing.B, backend oaicompat.Backend, body string) []byte {
	b.Helper()
	body = strings.Replace(body, `"stream":true`, `"stream":true,"stream_options":{"include_usage":true}`, 1)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	oaicompat.NewHandler(backend, oaicompat.WithAnyModel(), oaicompat.WithoutOutputChecks(), oaicompat.WithKeepAlive(0)).ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("recording the upstream: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// memTransport answers every request with body (a stream when it begins
// with "data:"), after reading the request body as a server would.
type memTransport struct {
	body  []byte
	split bool
}

func (t *memTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	ct := "application/json"
	var rd io.Reader = bytes.NewReader(t.body)
	if bytes.HasPrefix(t.body, []byte("data:")) {
		ct = "text/event-stream"
		if t.split {
			rd = &eventReader{rest: t.body}
		}
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {ct}},
		Body: io.NopCloser(rd), ContentLength: -1, Request: req}, nil
}

// eventReader returns one SSE event per Read, as a paced upstream arrives.
type eventReader struct{ rest []byte }

func (r *eventReader) Read(p []byte) (int, error) {
	if len(r.rest) == 0 {
		return 0, io.EOF
	}
	n := len(r.rest)
	if i := bytes.Index(r.rest, []byte("\n\n")); i >= 0 {
		n = i + 2
	}
	n = copy(p, r.rest[:n])
	r.rest = r.rest[n:]
	return n, nil
}

// discardWriter is a ResponseWriter that counts what it is given and
// flushes (a no-op), so the handler streams as it does to a connection.
type discardWriter struct {
	h       http.Header
	status  int
	n       int
	flushes int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.n += len(p)
	return len(p), nil
}
func (w *discardWriter) FlushError() error { w.flushes++; return nil }
