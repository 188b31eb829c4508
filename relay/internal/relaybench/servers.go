package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	"github.com/oaicompat/oaicompat"
)

// serve listens on a free loopback port, prints its URL and serves h.
func serve(h http.Handler) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("http://%s\n", ln.Addr())
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// answer is the fixed reply: about 1.1 KB of text, in 16 deltas (a
// stream sends 16 chunks).
var answer = strings.Repeat("The quick brown fox jumps over the lazy dog. ", 24)

// upstreamHandler is the loopback model server. Model "paced" streams
// chunks deltas, pace apart; any other model answers the fixed text in 16
// deltas; both wait service first (the time a model takes to start), and
// model "instant" does not wait.
func upstreamHandler(service time.Duration, chunks int, pace time.Duration) http.Handler {
	pieces := splitN(answer, 16)
	return oaicompat.NewHandler(oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		if req.Model != "instant" && service > 0 {
			t := time.NewTimer(service)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			}
		}
		if req.Model == "paced" {
			t := time.NewTicker(pace)
			defer t.Stop()
			for i := 0; i < chunks; i++ {
				if i > 0 {
					select {
					case <-t.C:
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				if err := w.WriteText("tok "); err != nil {
					return err
				}
			}
		} else {
			for _, p := range pieces {
				if err := w.WriteText(p); err != nil {
					return err
				}
			}
		}
		w.SetUsage(oaicompat.Usage{PromptTokens: 20, CompletionTokens: 300})
		return nil
	}), oaicompat.WithoutOutputChecks(), oaicompat.WithLogger(quiet()), oaicompat.WithKeepAlive(0), oaicompat.WithAnyModel())
}

func splitN(s string, n int) []string {
	var out []string
	size := (len(s) + n - 1) / n
	for len(s) > 0 {
		k := min(size, len(s))
		out = append(out, s[:k])
		s = s[k:]
	}
	return out
}

// proxyHandler is the bare reverse proxy: one more net/http hop, no
// parsing, every write flushed at once.
func proxyHandler(upstream string) http.Handler {
	u, err := url.Parse(upstream)
	if err != nil {
		log.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.FlushInterval = -1
	rp.ErrorLog = log.New(io.Discard, "", 0)
	rp.Transport = benchTransport()
	return rp
}

// benchTransport is the transport of the relay and the proxy: keep-alive
// connections for every request in flight, as relay.New builds by default.
func benchTransport() *http.Transport {
	return &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute, ForceAttemptHTTP2: true}
}
