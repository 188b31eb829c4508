package relay_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/relay"
)

// BenchmarkRelay measures one chat request through a relay to a loopback
// upstream, in process (for profiles: -cpuprofile); the client-side
// figures of the README come from relay/internal/relaybench, which runs
// the relay in its own process. BenchmarkDirect is the same request to the
// upstream alone: the difference is what the relay adds.
func BenchmarkRelay(b *testing.B) {
	for _, stream := range []bool{false, true} {
		name := "nonstream"
		if stream {
			name = "stream"
		}
		b.Run(name, func(b *testing.B) {
			up := benchUpstream(b)
			r, err := relay.New([]relay.Upstream{{BaseURL: up + "/v1"}}, relay.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
			if err != nil {
				b.Fatal(err)
			}
			srv := httptest.NewServer(relay.Headers(oaicompat.NewHandler(r, oaicompat.WithAnyModel(), oaicompat.WithoutOutputChecks(), oaicompat.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))))
			defer srv.Close()
			benchCalls(b, srv.URL, stream)
		})
	}
}

func BenchmarkDirect(b *testing.B) {
	for _, stream := range []bool{false, true} {
		name := "nonstream"
		if stream {
			name = "stream"
		}
		b.Run(name, func(b *testing.B) { benchCalls(b, benchUpstream(b), stream) })
	}
}

func benchUpstream(b *testing.B) string {
	answer := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 24)
	h := oaicompat.NewHandler(oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		for i := 0; i < 16; i++ {
			if err := w.WriteText(answer[i*len(answer)/16 : (i+1)*len(answer)/16]); err != nil {
				return err
			}
		}
		w.SetUsage(oaicompat.Usage{PromptTokens: 20, CompletionTokens: 300})
		return nil
	}), oaicompat.WithoutOutputChecks(), oaicompat.WithKeepAlive(0))
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	return srv.URL
}

func benchCalls(b *testing.B, base string, stream bool) {
	body := []byte(`{"model":"fixed","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say something about foxes and dogs, please."}],"temperature":0.2}`)
	if stream {
		body = []byte(`{"model":"fixed","stream":true,"messages":[{"role":"user","content":"Say something."}]}`)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Post(base+"/v1/chat/completions", "application/json", bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatal(resp.Status)
			}
		}
	})
}
