package middleware_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
)

// BenchmarkChain measures what the whole chain adds to a request, in
// process (no network): the bare handler, then every middleware in front of
// it, for a plain and a streamed chat completion of 20 deltas.
func BenchmarkChain(b *testing.B) {
	words := oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		w.SetUsage(usage)
		for range 20 {
			if err := w.WriteText("word "); err != nil {
				return err
			}
		}
		return nil
	})
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	chain := middleware.Chain(
		middleware.RequestID(),
		middleware.AccessLog(logger),
		middleware.Recovery(logger),
		middleware.CORS(),
		middleware.BodyLimit(1<<20),
		middleware.Auth(middleware.StaticKeys(testKeys)),
		middleware.RateLimit(middleware.Limits{Requests: 1 << 40, Tokens: 1 << 50}),
		middleware.Timeout(time.Minute),
	)
	handler := oaicompat.NewHandler(words, oaicompat.WithKeepAlive(0))
	for _, h := range []struct {
		name string
		h    http.Handler
	}{{"handler", handler}, {"chain", chain(handler)}} {
		for _, stream := range []bool{false, true} {
			name := h.name + "/json"
			body := `{"model":"m","messages":[{"role":"user","content":"Count to twenty."}]}`
			if stream {
				name = h.name + "/stream"
				body = `{"model":"m","stream":true,"messages":[{"role":"user","content":"Count to twenty."}]}`
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					req := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+aliceKey)
					rec := httptest.NewRecorder()
					h.h.ServeHTTP(rec, req)
					if rec.Code != 200 {
						b.Fatalf("%d %s", rec.Code, rec.Body)
					}
				}
			})
		}
	}
}

func BenchmarkMemoryStoreTake(b *testing.B) {
	s := middleware.NewMemoryStore()
	charges := []middleware.Charge{
		{Name: "requests", Limit: 1 << 40, Window: time.Minute, Cost: 1},
		{Name: "tokens", Limit: 1 << 50, Window: time.Minute, Cost: 500},
	}
	now := time.Now()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if ok, _, _ := s.Take(ctx, "alice", now, charges); !ok {
			b.Fatal("refused")
		}
	}
}
