package relay_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// faultServer is an upstream that plays the faults oaitest has no reply
// for (529, a reset before the headers, a stream that stalls, a 5 MB single
// SSE line, a 200 that is not JSON, ...). Each request takes the next step
// of its script; the last step repeats. It records every request.
type faultServer struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	script   []step
	requests []recorded
	release  chan struct{} // closed at cleanup: stalls end
}

// recorded is a request the fault server received.
type recorded struct {
	path   string
	header http.Header
	body   []byte
	at     time.Time
}

// step is what the fault server does for one request.
type step struct {
	status    int               // 0: 200
	header    map[string]string // response headers
	dateAhead time.Duration     // when set: Retry-After as the HTTP date this far ahead
	body      string            // a non-SSE body
	events    []string          // SSE data payloads, each flushed on its own
	reset     bool              // reset the connection before any response
	stall     bool              // after events (and the headers), send nothing more
	cut       bool              // after events, close the connection (no [DONE])
	done      bool              // end the events with data: [DONE]
	delay     time.Duration     // before anything
	gap       time.Duration     // between events
}

func newFaultServer(t *testing.T, script ...step) *faultServer {
	t.Helper()
	f := &faultServer{t: t, script: script, release: make(chan struct{})}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() {
		close(f.release)
		f.srv.CloseClientConnections()
		f.srv.Close()
	})
	return f
}

// URL is the upstream's base URL, with /v1.
func (f *faultServer) URL() string { return f.srv.URL + "/v1" }

// setScript replaces the script.
func (f *faultServer) setScript(script ...step) {
	f.mu.Lock()
	f.script = script
	f.mu.Unlock()
}

// Requests returns the requests received so far.
func (f *faultServer) Requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.requests...)
}

func (f *faultServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.requests = append(f.requests, recorded{path: r.URL.Path, header: r.Header.Clone(), body: body, at: time.Now()})
	var s step
	if len(f.script) > 0 {
		s = f.script[0]
		if len(f.script) > 1 {
			f.script = f.script[1:]
		}
	}
	f.mu.Unlock()
	if s.delay > 0 {
		select {
		case <-time.After(s.delay):
		case <-r.Context().Done():
			return
		case <-f.release:
			return
		}
	}
	if s.reset {
		resetConn(w)
		return
	}
	for k, v := range s.header {
		w.Header().Set(k, v)
	}
	if s.dateAhead > 0 {
		w.Header().Set("Retry-After", time.Now().Add(s.dateAhead).UTC().Format(http.TimeFormat))
	}
	status := s.status
	if status == 0 {
		status = http.StatusOK
	}
	if s.events == nil && !s.stall {
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, s.body)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(status)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	for i, e := range s.events {
		if i > 0 && s.gap > 0 {
			time.Sleep(s.gap)
		}
		if _, err := fmt.Fprintf(w, "data: %s\n\n", e); err != nil {
			return
		}
		_ = rc.Flush()
	}
	switch {
	case s.stall:
		select {
		case <-r.Context().Done():
		case <-f.release:
		}
	case s.cut:
		resetConn(w)
	case s.done:
		_, _ = io.WriteString(w, "data: [DONE]\n\n")
	}
}

// resetConn closes the connection under the response abruptly (a TCP
// reset: SO_LINGER 0), before or in the middle of a response.
func resetConn(w http.ResponseWriter) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	_ = buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// chunkJSON is a chat.completion.chunk with one choice delta (raw JSON)
// and a finish reason ("" is null).
func chunkJSON(delta, finish string) string {
	fr := "null"
	if finish != "" {
		fr = `"` + finish + `"`
	}
	return `{"id":"up-1","object":"chat.completion.chunk","created":1,"model":"up","choices":[{"index":0,"delta":` + delta + `,"finish_reason":` + fr + `}]}`
}

// usageJSON is the final usage chunk of a stream.
func usageJSON(prompt, completion int) string {
	return fmt.Sprintf(`{"id":"up-1","object":"chat.completion.chunk","created":1,"model":"up","choices":[],"usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}`, prompt, completion, prompt+completion)
}

// textStream is a complete upstream stream answering text in pieces.
func textStream(pieces ...string) []string {
	ev := []string{chunkJSON(`{"role":"assistant","content":""}`, "")}
	for _, p := range pieces {
		ev = append(ev, chunkJSON(`{"content":`+quote(p)+`}`, ""))
	}
	return append(ev, chunkJSON(`{}`, "stop"), usageJSON(7, len(pieces)))
}

// completionJSON is a non-streamed chat.completion answering text.
func completionJSON(text string) string {
	return `{"id":"up-1","object":"chat.completion","created":1,"model":"up","choices":[{"index":0,"message":{"role":"assistant","content":` + quote(text) + `},"finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}`
}

// errorJSON is an OpenAI error body.
func errorJSON(typ, code, param, msg string) string {
	null := func(s string) string {
		if s == "" {
			return "null"
		}
		return quote(s)
	}
	return `{"error":{"message":` + quote(msg) + `,"type":` + quote(typ) + `,"param":` + null(param) + `,"code":` + null(code) + `}}`
}

func quote(s string) string {
	var b bytes.Buffer
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// refusedURL returns the base URL of a loopback port nothing listens on.
func refusedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr + "/v1"
}

// hasPath reports whether every recorded request went to path.
func allTo(reqs []recorded, path string) bool {
	for _, r := range reqs {
		if !strings.HasSuffix(r.path, path) {
			return false
		}
	}
	return true
}
