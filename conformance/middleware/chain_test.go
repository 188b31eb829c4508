package middleware_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3/option"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
	"github.com/oaicompat/oaicompat/telemetry"
)

// fullChain is every middleware of the package, in the documented order,
// with the options that make them touch the response most (the access log
// captures bodies, the rate limiter reads the body and corrects tokens).
func fullChain(logs io.Writer, spans *tracetest.SpanRecorder) func(http.Handler) http.Handler {
	return middleware.Chain(
		middleware.RequestID(),
		telemetry.OTel(telemetry.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))),
			telemetry.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader())))),
		middleware.AccessLog(slog.New(slog.NewJSONHandler(logs, nil)), middleware.WithBodies(1<<10)),
		middleware.Recovery(slog.New(slog.NewJSONHandler(logs, nil))),
		middleware.CORS(),
		middleware.BodyLimit(1<<20),
		middleware.Auth(middleware.StaticKeys(testKeys)),
		middleware.RateLimit(middleware.Limits{Requests: 100, Tokens: 100_000}),
		middleware.Timeout(time.Minute),
	)
}

// TestChainStreamsEventByEvent proves that streaming survives the whole
// chain: the backend writes its second delta only after the client has
// received the first, so any middleware that buffers the response makes the
// stream stall instead of passing.
func TestChainStreamsEventByEvent(t *testing.T) {
	t.Parallel()
	received := make(chan struct{}) // closed by the client on event 1
	backend := oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		w.SetUsage(usage)
		if err := w.WriteText("one"); err != nil {
			return err
		}
		select {
		case <-received:
		case <-ctx.Done():
			return ctx.Err()
		}
		return w.WriteText("two")
	})
	var logs syncBuffer
	spans := tracetest.NewSpanRecorder()
	srv := serve(t, fullChain(&logs, spans)(oaicompat.NewHandler(backend, oaicompat.WithKeepAlive(0))))

	ctx, cancel := context.WithTimeout(testContext(t), 20*time.Second)
	defer cancel()
	var resp *http.Response
	stream := client(srv, aliceKey, option.WithHeader("Origin", "https://app.example"), option.WithResponseInto(&resp)).
		Chat.Completions.NewStreaming(ctx, chatParams("count"))
	var got []string
	for stream.Next() {
		for _, c := range stream.Current().Choices {
			if c.Delta.Content == "" {
				continue
			}
			got = append(got, c.Delta.Content)
			if c.Delta.Content == "one" {
				close(received)
			}
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("stream failed after %q (a middleware buffering the response stalls it): %v", got, err)
	}
	if strings.Join(got, ",") != "one,two" {
		t.Fatalf("streamed %q, want one, two", got)
	}
	// and every middleware saw the request
	finish(srv)
	h := resp.Header
	if h.Get("x-request-id") == "" || h.Get("Access-Control-Allow-Origin") != "*" || h.Get("x-ratelimit-remaining-requests") != "99" ||
		h.Get("Content-Type") != "text/event-stream; charset=utf-8" {
		t.Fatalf("response headers %v", h)
	}
	if n := len(spans.Ended()); n != 1 {
		t.Fatalf("%d spans", n)
	}
	if l := logs.String(); !strings.Contains(l, `"key_id":"alice"`) || !strings.Contains(l, `data: {`) || !strings.Contains(l, `"tokens_out":3`) {
		t.Fatalf("access log: %s", l)
	}
}

// TestChainResponseControllerReachesTheConnection: through every wrapper,
// http.ResponseController still finds the server's writer for deadlines,
// full duplex and hijacking (each wrapper implements Unwrap).
func TestChainResponseControllerReachesTheConnection(t *testing.T) {
	t.Parallel()
	errs := make(chan error, 3)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		errs <- rc.SetWriteDeadline(time.Now().Add(time.Minute))
		errs <- rc.EnableFullDuplex()
		conn, buf, err := rc.Hijack()
		errs <- err
		if err == nil {
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
			_ = buf.Flush()
			conn.Close()
		}
	})
	var logs syncBuffer
	srv := serve(t, fullChain(&logs, tracetest.NewSpanRecorder())(h))
	req, _ := http.NewRequest("POST", srv.URL+"/", strings.NewReader("{}"))
	req.Header.Set("Authorization", "Bearer "+aliceKey)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(bufio.NewReader(resp.Body))
	resp.Body.Close()
	for _, what := range []string{"SetWriteDeadline", "EnableFullDuplex", "Hijack"} {
		if err := <-errs; err != nil {
			t.Errorf("%s through the chain: %v", what, err)
		}
	}
	if string(body) != "hijacked" {
		t.Fatalf("body %q", body)
	}
}
