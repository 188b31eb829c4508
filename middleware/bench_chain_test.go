package middleware_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
)

// productionChain is the chain issue 12 budgets (at most 20 allocations
// and 10 µs per request over the bare handler): RequestID, AccessLog,
// Recovery, Auth and RateLimit with the memory store.
func productionChain() func(http.Handler) http.Handler {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	return middleware.Chain(
		middleware.RequestID(),
		middleware.AccessLog(logger),
		middleware.Recovery(logger),
		middleware.Auth(middleware.StaticKeys(rawKeys)),
		middleware.RateLimit(middleware.Limits{Requests: 1 << 40, Tokens: 1 << 50}),
	)
}

// BenchmarkProductionChain measures what productionChain adds to a chat
// completion of twenty deltas, in process: compare chain/* with handler/*.
// cpu-ns/op is the process's CPU time (garbage collection included) per
// request, steadier than ns/op on a shared machine.
func BenchmarkProductionChain(b *testing.B) {
	handler := oaicompat.NewHandler(twentyWords, oaicompat.WithKeepAlive(0))
	for _, h := range []struct {
		name string
		h    http.Handler
	}{{"handler", handler}, {"chain", productionChain()(handler)}} {
		for _, stream := range []bool{false, true} {
			name, body := h.name+"/json", chatBody(stream)
			if stream {
				name = h.name + "/stream"
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				cpu0, ok := processCPU()
				for b.Loop() {
					if rec := post(h.h, body); rec.Code != 200 {
						b.Fatalf("%d %s", rec.Code, rec.Body)
					}
				}
				if cpu1, _ := processCPU(); ok {
					b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
				}
			})
		}
	}
}

// BenchmarkRateLimitBody1MiB sends a 1 MiB chat request through RateLimit
// with a token limit, in front of a handler that only drains the body
// ("drain": what RateLimit itself costs) and in front of an
// oaicompat.Handler ("handler").
func BenchmarkRateLimitBody1MiB(b *testing.B) {
	body := []byte(`{"model":"m","messages":[{"role":"user","content":"` + strings.Repeat("x", 1<<20) + `"}]}`)
	drain := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	})
	limit := middleware.RateLimit(middleware.Limits{Requests: 1 << 40, Tokens: 1 << 50})
	for _, h := range []struct {
		name string
		h    http.Handler
	}{{"drain", limit(drain)}, {"handler", limit(oaicompat.NewHandler(twentyWords))}} {
		b.Run(h.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				req := httptest.NewRequest("POST", "/v1/chat/completions", bytes.NewReader(body))
				rec := httptest.NewRecorder()
				h.h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
