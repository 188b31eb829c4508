package middleware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat"
)

// The helpers of this package's tests, which use raw HTTP; the tests
// through the SDKs are in module conformance (conformance/middleware).

// testKeys are the API keys the tests authenticate with (key -> id).
var testKeys = map[string]string{
	"sk-alice-0123456789abcdefghijklmnopqrstuvwxyzABCD": "alice",
	"sk-bob-0123456789abcdefghijklmnopqrstuvwxyzABCDEF": "bob",
}

const aliceKey = "sk-alice-0123456789abcdefghijklmnopqrstuvwxyzABCD"

// serve starts a loopback server for h, closed when the test ends.
func serve(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// usage is what the test backends report.
var usage = oaicompat.Usage{PromptTokens: 12, CompletionTokens: 3, TotalTokens: 15}

// hello is a backend answering "Hello!" with usage.
var hello = oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	w.SetUsage(usage)
	return w.WriteText("Hello!")
})

// testContext is a context that ends with the test, bounded so that a
// broken call fails instead of hanging.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
