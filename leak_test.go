package oaicompat_test

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat"
)

// TestNoGoroutineLeaks serves streams that end normally, fail, fan out and
// are abandoned by the client, then checks the goroutine count returns to
// where it was.
func TestNoGoroutineLeaks(t *testing.T) {
	b := newTestBackend()
	srv := serve(t, oaicompat.NewHandler(b, oaicompat.WithKeepAlive(time.Millisecond)))
	client := &http.Client{Transport: &http.Transport{}}
	base := runtime.NumGoroutine()
	for _, msg := range []string{"hi", "fail-late", "tools", "panic", "block"} {
		for _, extra := range []string{`,"stream":true`, `,"n":3,"stream":true`, ``} {
			ctx, cancel := context.WithCancel(context.Background())
			req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/v1/chat/completions",
				strings.NewReader(`{"model":"test-model","messages":[{"role":"user","content":"`+msg+`"}]`+extra+`}`))
			done := make(chan struct{})
			go func() {
				defer close(done)
				if resp, err := client.Do(req); err == nil {
					buf := make([]byte, 4096)
					for {
						if _, err := resp.Body.Read(buf); err != nil {
							break
						}
					}
					resp.Body.Close()
				}
			}()
			if msg == "block" {
				n := 1
				if strings.Contains(extra, `"n":3`) {
					n = 3
				}
				for i := 0; i < n; i++ {
					<-b.Blocked
				}
				cancel()
				for i := 0; i < n; i++ {
					<-b.Cancelled
				}
			}
			<-done
			cancel()
		}
	}
	client.CloseIdleConnections()
	srv.CloseClientConnections()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines, %d before:\n%s", n, base, buf[:runtime.Stack(buf, true)])
	}
}
