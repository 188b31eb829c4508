package relay_test

import (
	"context"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat/relay"
)

// TestNoGoroutineLeaks sends requests that end every way a relayed
// request can (answered, retried and failed over, broken after the commit
// point, stalled past the idle timeout, abandoned by the client), closes
// everything, and checks the goroutine count returns to where it was.
// It is not parallel: it counts the process's goroutines.
func TestNoGoroutineLeaks(t *testing.T) {
	base := runtime.NumGoroutine()
	t.Run("requests", func(t *testing.T) { // its cleanups close the servers and the relay
		ok := newFaultServer(t, step{events: textStream("ok"), done: true})
		broken := newFaultServer(t, step{status: 500, body: errorJSON("server_error", "", "", "x")})
		cut := newFaultServer(t, step{events: textStream("a", "b")[:2], cut: true})
		stalled := newFaultServer(t, step{events: textStream("a")[:2], stall: true})
		slow := newFaultServer(t, step{events: textStream("a")[:2], stall: true})
		s := serveRelay(t, []relay.Upstream{
			{Name: "ok", BaseURL: ok.URL(), Models: map[string]string{"ok": "", "retried": ""}, Priority: 1},
			{Name: "broken", BaseURL: broken.URL(), Models: map[string]string{"retried": ""}},
			{Name: "cut", BaseURL: cut.URL(), Models: map[string]string{"cut": ""}},
			{Name: "stalled", BaseURL: stalled.URL(), Models: map[string]string{"stalled": ""}, IdleTimeout: 50 * time.Millisecond},
			{Name: "slow", BaseURL: slow.URL(), Models: map[string]string{"abandoned": ""}},
		})
		client := &http.Client{Transport: &http.Transport{}}
		defer client.CloseIdleConnections()
		for _, model := range []string{"ok", "retried", "cut", "stalled", "abandoned"} {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if model == "abandoned" {
				ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/chat/completions",
				strings.NewReader(`{"model":"`+model+`","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
			if resp, err := client.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			cancel()
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, %d before:\n%s", n, base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}
