package middleware_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/oaicompat/oaicompat"
)

// testKeys are the API keys the tests authenticate with (key -> id).
var testKeys = map[string]string{
	"sk-alice-0123456789abcdefghijklmnopqrstuvwxyzABCD": "alice",
	"sk-bob-0123456789abcdefghijklmnopqrstuvwxyzABCDEF": "bob",
}

const (
	aliceKey = "sk-alice-0123456789abcdefghijklmnopqrstuvwxyzABCD"
	bobKey   = "sk-bob-0123456789abcdefghijklmnopqrstuvwxyzABCDEF"
)

// serve starts a loopback server for h, closed when the test ends.
func serve(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// finish waits until srv has served every request it received (a client
// can see the end of a response before the handlers wrapping it return), so
// that a test can read what those handlers recorded.
func finish(srv *httptest.Server) { srv.Close() }

// settled signals on done each time a request has been completely served
// (middleware included), for tests whose next request depends on what the
// last one left behind, such as a rate limiter's token correction.
func settled(done chan<- struct{}) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() { done <- struct{}{} }()
			next.ServeHTTP(w, r)
		})
	}
}

// client returns an official openai-go client for srv that never retries
// unless opts say otherwise.
func client(srv *httptest.Server, key string, opts ...option.RequestOption) *openai.Client {
	base := []option.RequestOption{
		option.WithBaseURL(srv.URL + "/v1/"),
		option.WithAPIKey(key),
		option.WithMaxRetries(0),
		option.WithHTTPClient(srv.Client()),
	}
	c := openai.NewClient(append(base, opts...)...)
	return &c
}

// usage is what the test backends report.
var usage = oaicompat.Usage{PromptTokens: 12, CompletionTokens: 3, TotalTokens: 15}

// hello is a backend answering "Hello!" with usage.
var hello = oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	w.SetUsage(usage)
	return w.WriteText("Hello!")
})

// chatParams is a minimal chat request.
func chatParams(prompt string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model:    "gpt-test",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(prompt)},
	}
}

// apiError returns err as an *openai.Error, failing the test if it is not one.
func apiError(t *testing.T, err error) *openai.Error {
	t.Helper()
	var e *openai.Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v (%T), want *openai.Error", err, err)
	}
	return e
}

// testContext is a context that ends with the test, bounded so that a
// broken stream fails instead of hanging.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// fakeClock is a settable clock for the rate limiter.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
