package middleware_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3/packages/ssestream"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
)

// waiter writes "one", then waits for its context to end and reports why.
func waiter(got chan<- error) oaicompat.ChatFunc {
	return func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		if err := w.WriteText("one"); err != nil {
			return err
		}
		<-ctx.Done()
		got <- ctx.Err()
		return ctx.Err()
	}
}

func TestTimeoutBeforeOutput(t *testing.T) {
	t.Parallel()
	got := make(chan error, 1)
	srv := serve(t, middleware.Timeout(50*time.Millisecond)(oaicompat.NewHandler(waiter(got))))
	_, err := client(srv, aliceKey).Chat.Completions.New(testContext(t), chatParams("hi"))
	e := apiError(t, err)
	if e.StatusCode != http.StatusGatewayTimeout || e.Type != "server_error" || e.Code != "timeout" || e.Message != "The request timed out." {
		t.Fatalf("got %d %s %s %q", e.StatusCode, e.Type, e.Code, e.Message)
	}
	if err := <-got; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("backend context ended with %v, want DeadlineExceeded", err)
	}
}

// TestTimeoutMidStream: the first chunk reaches the client at once (the
// timeout wraps no writer), and the deadline is reported in-band.
func TestTimeoutMidStream(t *testing.T) {
	t.Parallel()
	got := make(chan error, 1)
	srv := serve(t, middleware.Timeout(100*time.Millisecond)(oaicompat.NewHandler(waiter(got))))
	stream := client(srv, aliceKey).Chat.Completions.NewStreaming(testContext(t), chatParams("hi"))
	var text strings.Builder
	for stream.Next() {
		for _, c := range stream.Current().Choices {
			text.WriteString(c.Delta.Content)
		}
	}
	var se *ssestream.StreamError
	if !errors.As(stream.Err(), &se) || !strings.Contains(se.Message, `"code":"timeout"`) {
		t.Fatalf("stream ended with %v, want an in-band timeout error", stream.Err())
	}
	if text.String() != "one" {
		t.Fatalf("streamed %q before the timeout, want %q", text.String(), "one")
	}
	if err := <-got; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("backend context ended with %v", err)
	}
}

func TestTimeoutDisabledOrNotReached(t *testing.T) {
	t.Parallel()
	for _, d := range []time.Duration{0, -1, time.Hour} {
		var deadline bool
		h := middleware.Timeout(d)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, deadline = r.Context().Deadline()
		}))
		srv := serve(t, h)
		resp, err := srv.Client().Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if deadline != (d > 0) {
			t.Fatalf("Timeout(%v): deadline set = %v", d, deadline)
		}
	}
}
