package oaicompat_test

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat"
)

// TestStreamHTTP2 streams over HTTP/2, whose ResponseWriter is not
// net/http's HTTP/1 one: the events arrive whole and in order, and a
// client that resets the stream
// cancels the backend's context (the backend's context is the request's).
func TestStreamHTTP2(t *testing.T) {
	canceled := make(chan struct{})
	h := oaicompat.NewHandler(oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		words := []string{"one", " two", " three"}
		hold := req.Model == "hold"
		if hold {
			// One event only: the client resets the stream once it has
			// read it, and a later write would fail before the wait.
			words = words[:1]
		}
		for _, word := range words {
			if err := w.WriteText(word); err != nil {
				return err
			}
		}
		if !hold {
			return nil
		}
		select {
		case <-ctx.Done():
			close(canceled)
			return ctx.Err()
		case <-time.After(10 * time.Second):
			return nil
		}
	}))
	srv := httptest.NewUnstartedServer(h)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	client := srv.Client()

	post := func(ctx context.Context, model string) *http.Response {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/v1/chat/completions",
			strings.NewReader(`{"model":"`+model+`","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.ProtoMajor != 2 || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s, status %d: want HTTP/2 and 200", resp.Proto, resp.StatusCode)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream; charset=utf-8" {
			t.Fatalf("Content-Type %q", ct)
		}
		return resp
	}

	resp := post(context.Background(), "m")
	var text strings.Builder
	var done bool
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "data: ")
		switch {
		case !ok:
		case line == "[DONE]":
			done = true
		default:
			if i := strings.Index(line, `"content":"`); i >= 0 {
				rest := line[i+len(`"content":"`):]
				text.WriteString(rest[:strings.IndexByte(rest, '"')])
			}
		}
	}
	resp.Body.Close()
	if got := text.String(); got != "one two three" || !done {
		t.Fatalf("streamed %q, [DONE] %v; want \"one two three\" and [DONE]", got, done)
	}

	// A held stream: read its first event, then reset the stream.
	ctx, cancel := context.WithCancel(context.Background())
	resp = post(ctx, "hold")
	if _, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	cancel()
	resp.Body.Close()
	select {
	case <-canceled:
	case <-time.After(5 * time.Second):
		t.Fatal("the backend's context was not canceled after the client reset its HTTP/2 stream")
	}
}
