package relay_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/relay"
)

// fast are the options of the relays under test: retries without real
// waits to speak of, and a log the test can read.
func fast(log *logBuffer) []relay.Option {
	return []relay.Option{
		relay.WithBackoff(time.Millisecond, 4*time.Millisecond),
		relay.WithRetryBudget(5 * time.Second),
		relay.WithLogger(slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	}
}

// served is a relay behind the oaicompat handler on a loopback server.
type served struct {
	relay *relay.Relay
	url   string // base URL with /v1
	log   *logBuffer
	info  *callInfos
}

// serveRelay builds a relay over ups and serves it behind relay.Headers and
// the oaicompat handler (output checks off: the upstream is the model), with
// a middleware recording each request's CallInfo.
func serveRelay(t *testing.T, ups []relay.Upstream, opts ...relay.Option) *served {
	t.Helper()
	log := &logBuffer{}
	logger := slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r, err := relay.New(ups, append(fast(log), opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	info := &callInfos{}
	h := relay.Headers(oaicompat.NewHandler(r, oaicompat.WithAnyModel(), oaicompat.WithoutOutputChecks(), oaicompat.WithKeepAlive(0), oaicompat.WithLogger(logger)))
	srv := httptest.NewServer(info.record(h))
	t.Cleanup(srv.Close)
	return &served{relay: r, url: srv.URL + "/v1", log: log, info: info}
}

// serveBackend serves backend behind the oaicompat handler: a real upstream.
func serveBackend(t *testing.T, backend oaicompat.Backend, opts ...oaicompat.Option) string {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(oaicompat.NewHandler(backend, append([]oaicompat.Option{oaicompat.WithKeepAlive(0), oaicompat.WithLogger(quiet)}, opts...)...))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

// serveHandler serves h on a loopback server and returns its base URL.
func serveHandler(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

// callInfos records the CallInfo of every request.
type callInfos struct {
	mu    sync.Mutex
	infos []*oaicompat.CallInfo
}

func (c *callInfos) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, ci := oaicompat.NewCallInfoContext(r.Context())
		next.ServeHTTP(w, r.WithContext(ctx))
		c.mu.Lock()
		c.infos = append(c.infos, ci)
		c.mu.Unlock()
	})
}

func (c *callInfos) last() *oaicompat.CallInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.infos) == 0 {
		return nil
	}
	return c.infos[len(c.infos)-1]
}

// logBuffer is a concurrency-safe log sink.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// textBackend answers text in the given pieces, with usage.
func textBackend(pieces ...string) oaicompat.ChatFunc {
	return func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		for _, p := range pieces {
			if err := w.WriteText(p); err != nil {
				return err
			}
		}
		w.SetUsage(oaicompat.Usage{PromptTokens: 11, CompletionTokens: len(pieces)})
		return nil
	}
}
