package relay_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/conformance/sdktest"
	"github.com/oaicompat/oaicompat/oaitest"
	"github.com/oaicompat/oaicompat/relay"
)

// Fault tests through openai-go: upstreams that fail in every way the
// issue lists, and what the client sees.

// chatVia sends a non-streamed chat through the relay with the SDK's
// default retries (2), so that a relay that let the SDK retry on top of its
// own retries would show it in the upstream's request count.
func chatVia(t *testing.T, s *served, model string) (*openai.ChatCompletion, *http.Response, error) {
	t.Helper()
	client := sdktest.Client(s.url, option.WithMaxRetries(2))
	var resp *http.Response
	c, err := client.Chat.Completions.New(context.Background(), sdkParams(model, "hi"), option.WithResponseInto(&resp))
	return c, resp, err
}

// streamVia streams a chat through the relay and returns the text, the
// stream's error and the response.
func streamVia(t *testing.T, s *served, model string) (string, *http.Response, error) {
	t.Helper()
	client := sdktest.Client(s.url, option.WithMaxRetries(2))
	var resp *http.Response
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stream := client.Chat.Completions.NewStreaming(ctx, sdkParams(model, "hi"), option.WithResponseInto(&resp))
	var text strings.Builder
	for stream.Next() {
		for _, ch := range stream.Current().Choices {
			text.WriteString(ch.Delta.Content)
		}
	}
	return text.String(), resp, stream.Err()
}

// TestSDKRetryThenSuccess: a retryable failure of the only upstream is
// retried on it; the client sees the answer and the attempt count.
func TestSDKRetryThenSuccess(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		first step
	}{
		{"500", step{status: 500, body: errorJSON("server_error", "", "", "boom")}},
		{"502 not JSON", step{status: 502, body: "<html>bad gateway</html>"}},
		{"529 overloaded", step{status: 529, body: errorJSON("overloaded_error", "", "", "Overloaded")}},
		{"503 x-should-retry true", step{status: 503, header: map[string]string{"X-Should-Retry": "true"}, body: errorJSON("server_error", "", "", "busy")}},
		{"408", step{status: 408, body: errorJSON("invalid_request_error", "", "", "timeout")}},
		{"reset before headers", step{reset: true}},
		{"200 not JSON", step{body: "not json"}},
		{"200 with an error body", step{body: errorJSON("server_error", "", "", "oops")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFaultServer(t, tc.first, step{body: completionJSON("recovered")})
			s := serveRelay(t, []relay.Upstream{{Name: "only", BaseURL: f.URL()}})
			c, resp, err := chatVia(t, s, "m")
			if err != nil {
				t.Fatalf("%v\n%s", err, s.log)
			}
			if c.Choices[0].Message.Content != "recovered" || resp.Header.Get(relay.HeaderAttempts) != "2" {
				t.Errorf("content %q, attempts %q", c.Choices[0].Message.Content, resp.Header.Get(relay.HeaderAttempts))
			}
			if n := len(f.Requests()); n != 2 {
				t.Errorf("%d upstream requests, want 2", n)
			}
			if !strings.Contains(s.log.String(), "level=WARN msg=\"relay attempt\" upstream=only") {
				t.Errorf("the failed attempt is not logged:\n%s", s.log)
			}
		})
	}
}

// TestSDKRetriesSpent: when every attempt fails the client gets the
// upstream's last error unchanged with x-should-retry: false, and the SDK
// (2 retries by default) does not retry on top of the relay's 3 attempts.
func TestSDKRetriesSpent(t *testing.T) {
	t.Parallel()
	f := newFaultServer(t, step{status: 503, body: errorJSON("server_error", "server_is_overloaded", "", "overloaded now")})
	s := serveRelay(t, []relay.Upstream{{BaseURL: f.URL()}})
	_, _, err := chatVia(t, s, "m")
	e := sdktest.APIError(t, err, 503)
	if e.Type != "server_error" || e.Code != "server_is_overloaded" || e.Message != "overloaded now" {
		t.Errorf("error = %s", e.RawJSON())
	}
	if e.Response.Header.Get("X-Should-Retry") != "false" || e.Response.Header.Get(relay.HeaderAttempts) != "3" {
		t.Errorf("headers = %v", e.Response.Header)
	}
	if n := len(f.Requests()); n != 3 {
		t.Errorf("%d upstream requests, want 3 (1 + 2 relay retries, no SDK retries)", n)
	}
	if strings.Contains(s.log.String(), "overloaded now") {
		t.Errorf("the log carries the upstream's message:\n%s", s.log)
	}
}

// TestSDKFallback: when the first upstream cannot answer, the next by
// priority does; the response names it.
func TestSDKFallback(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		primary  func(t *testing.T) string
		attempts string
	}{
		{"connect refused", refusedURL, "4"},
		{"reset before headers", func(t *testing.T) string { return newFaultServer(t, step{reset: true}).URL() }, "4"},
		{"529", func(t *testing.T) string {
			return newFaultServer(t, step{status: 529, body: errorJSON("overloaded_error", "", "", "Overloaded")}).URL()
		}, "4"},
		{"stream cut before output", func(t *testing.T) string {
			return newFaultServer(t, step{events: textStream()[:1], cut: true}).URL()
		}, "4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			backup := serveBackend(t, textBackend("from backup"))
			s := serveRelay(t, []relay.Upstream{
				{Name: "primary", BaseURL: tc.primary(t)},
				{Name: "backup", BaseURL: backup, Priority: 1},
			})
			text, resp, err := streamVia(t, s, "m")
			if err != nil {
				t.Fatalf("%v\n%s", err, s.log)
			}
			if text != "from backup" || resp.Header.Get(relay.HeaderUpstream) != "backup" || resp.Header.Get(relay.HeaderAttempts) != tc.attempts {
				t.Errorf("text %q, headers %v", text, resp.Header)
			}
		})
	}
}

// TestSDKFallbackModels: WithFallbacks moves to another model when every
// upstream of the first fails, and aliases resolve before routing.
func TestSDKFallbackModels(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t)
	mock.On(oaitest.Chat().Model("big-upstream")).Reply(oaitest.Error(500, "")).Times(3)
	mock.On(oaitest.Chat().Model("small")).Reply(oaitest.Text("small answered"))
	s := serveRelay(t, []relay.Upstream{{Name: "mock", BaseURL: mock.URL(), Models: map[string]string{"big": "big-upstream", "small": ""}}},
		relay.WithAliases(map[string]string{"gpt-*": "big"}),
		relay.WithFallbacks(map[string][]string{"big": {"small"}}))
	c, resp, err := chatVia(t, s, "gpt-4o")
	if err != nil {
		t.Fatal(err)
	}
	if c.Choices[0].Message.Content != "small answered" || c.Model != "gpt-4o" || resp.Header.Get(relay.HeaderAttempts) != "4" {
		t.Errorf("content %q model %q attempts %q", c.Choices[0].Message.Content, c.Model, resp.Header.Get(relay.HeaderAttempts))
	}
	// An unknown model is 404 model_not_found, with no upstream request.
	_, _, err = chatVia(t, s, "unknown")
	if e := sdktest.APIError(t, err, 404); e.Code != "model_not_found" {
		t.Errorf("unknown model: %s", e.RawJSON())
	}
}

// TestSDKRateLimit: a 429 is retried after the wait it asks for, in each
// of its three forms, within the budget; the client sees the answer.
func TestSDKRateLimit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		step step
		min  time.Duration
	}{
		{"retry-after-ms", step{header: map[string]string{"Retry-After-Ms": "150", "Retry-After": "1"}}, 150 * time.Millisecond},
		{"retry-after seconds", step{header: map[string]string{"Retry-After": "0.2"}}, 200 * time.Millisecond},
		// two seconds ahead: at least one after truncation to whole seconds
		{"retry-after HTTP date", step{dateAhead: 2 * time.Second}, 900 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			limited := tc.step
			limited.status, limited.body = 429, errorJSON("requests", "rate_limit_exceeded", "", "slow down")
			f := newFaultServer(t, limited,
				step{body: completionJSON("after the wait")})
			s := serveRelay(t, []relay.Upstream{{BaseURL: f.URL()}})
			c, _, err := chatVia(t, s, "m")
			if err != nil {
				t.Fatal(err)
			}
			reqs := f.Requests()
			if c.Choices[0].Message.Content != "after the wait" || len(reqs) != 2 {
				t.Fatalf("content %q after %d requests", c.Choices[0].Message.Content, len(reqs))
			}
			if gap := reqs[1].at.Sub(reqs[0].at); gap < tc.min {
				t.Errorf("retried after %v, the upstream asked for %v", gap, tc.min)
			}
		})
	}
}

// TestSDKRateLimitBeyondBudget: a Retry-After beyond the wait budget is not
// waited for: the next upstream answers at once; with no other upstream
// the 429 reaches the client with its Retry-After and x-should-retry:
// false.
func TestSDKRateLimitBeyondBudget(t *testing.T) {
	t.Parallel()
	limited := step{status: 429, header: map[string]string{"Retry-After": "30"}, body: errorJSON("requests", "rate_limit_exceeded", "", "Rate limit reached")}
	f := newFaultServer(t, limited)
	backup := serveBackend(t, textBackend("backup"))
	s := serveRelay(t, []relay.Upstream{{Name: "limited", BaseURL: f.URL()}, {Name: "backup", BaseURL: backup, Priority: 1}})
	c, resp, err := chatVia(t, s, "m")
	if err != nil {
		t.Fatal(err)
	}
	if c.Choices[0].Message.Content != "backup" || resp.Header.Get(relay.HeaderAttempts) != "2" {
		t.Errorf("content %q, headers %v", c.Choices[0].Message.Content, resp.Header)
	}

	f2 := newFaultServer(t, limited)
	s2 := serveRelay(t, []relay.Upstream{{BaseURL: f2.URL()}})
	_, _, err = chatVia(t, s2, "m")
	e := sdktest.APIError(t, err, 429)
	h := e.Response.Header
	if e.Code != "rate_limit_exceeded" || e.Message != "Rate limit reached" || h.Get("Retry-After") != "30" || h.Get("X-Should-Retry") != "false" {
		t.Errorf("error %s, headers %v", e.RawJSON(), h)
	}
	if n := len(f2.Requests()); n != 1 {
		t.Errorf("%d upstream requests, want 1", n)
	}
}

// TestSDKDeadKey: a key answered 401 is dead: the next key answers this
// request, and later requests skip the dead key; when every key is
// refused the client gets 502 upstream_credentials_exhausted.
func TestSDKDeadKey(t *testing.T) {
	t.Parallel()
	backend := oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		return w.WriteText("served")
	})
	var mu sync.Mutex
	var seen []string
	auth := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key := r.Header.Get("Authorization")
			mu.Lock()
			seen = append(seen, key)
			mu.Unlock()
			if key != "Bearer good" {
				oaicompat.WriteError(w, &oaicompat.Error{Status: 401, Type: "invalid_request_error", Code: "invalid_api_key", Message: "Incorrect API key provided."})
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	up := serveHandler(t, auth(oaicompat.NewHandler(backend)))
	s := serveRelay(t, []relay.Upstream{{BaseURL: up, Keys: []string{"bad", "good"}, MaxConcurrent: -1}},
		relay.WithMaxAttempts(10))
	// Keys are picked at random: send until the bad one has had its turn
	// (64 requests all picking "good" first has odds of 2^-64), then more.
	countBad := func() int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, k := range seen {
			if k == "Bearer bad" {
				n++
			}
		}
		return n
	}
	for i, after := 0, 5; i < 64 && after > 0; i++ {
		c, _, err := chatVia(t, s, "m")
		if err != nil || c.Choices[0].Message.Content != "served" {
			t.Fatalf("request %d: %v", i, err)
		}
		if countBad() > 0 {
			after--
		}
	}
	bad := countBad()
	if bad != 1 {
		t.Errorf("the refused key was tried %d times, want once (then cooled down)", bad)
	}

	s2 := serveRelay(t, []relay.Upstream{{BaseURL: up, Keys: []string{"bad", "worse"}}})
	for i := 0; i < 2; i++ { // every key refused, then every key cooling down
		_, _, err := chatVia(t, s2, "m")
		if e := sdktest.APIError(t, err, 502); e.Code != "upstream_credentials_exhausted" || e.Response.Header.Get("X-Should-Retry") != "false" {
			t.Errorf("request %d: %s %v", i, e.RawJSON(), e.Response.Header)
		}
	}
}

// TestSDKCooldownAndRecovery: an upstream whose failure rate trips is
// skipped (its requests stop) while it cools down; after the cooldown one
// probe reaches it, and its success brings the traffic back.
func TestSDKCooldownAndRecovery(t *testing.T) {
	t.Parallel()
	f := newFaultServer(t, step{status: 500, body: errorJSON("server_error", "", "", "down")})
	backup := serveBackend(t, textBackend("backup"))
	policy := relay.CooldownPolicy{MinRequests: 2, FailureRate: 0.5, Base: 2 * time.Second}
	s := serveRelay(t, []relay.Upstream{{Name: "main", BaseURL: f.URL()}, {Name: "backup", BaseURL: backup, Priority: 1}},
		relay.WithHealth(relay.NewMemoryHealth(policy)), relay.WithRetries(0))
	served := func() string {
		c, resp, err := chatVia(t, s, "m")
		if err != nil {
			t.Fatal(err)
		}
		return resp.Header.Get(relay.HeaderUpstream) + ":" + c.Choices[0].Message.Content
	}
	// Two failures trip main (MinRequests 2); each request falls back.
	for i := 0; i < 2; i++ {
		if got := served(); got != "backup:backup" {
			t.Fatalf("request %d served by %s", i, got)
		}
	}
	tripped := len(f.Requests())
	for i := 0; i < 3; i++ {
		if got := served(); got != "backup:backup" {
			t.Fatalf("cooling: served by %s", got)
		}
	}
	if n := len(f.Requests()); n != tripped || tripped != 2 {
		t.Fatalf("main got %d requests while cooling down (%d before)", n, tripped)
	}
	// main recovers; after the cooldown a probe finds it healthy.
	f.setScript(step{body: completionJSON("main is back")})
	time.Sleep(2100 * time.Millisecond)
	for i := 0; i < 3; i++ {
		if got := served(); got != "main:main is back" {
			t.Fatalf("after recovery: served by %s\n%s", got, s.log)
		}
	}
}

// withBackup serves a relay over a primary fault server playing step
// (primary's settings from the given Upstream) and a backup answering
// "backup" at priority 1.
func withBackup(t *testing.T, s step, primary relay.Upstream, opts ...relay.Option) (*served, *faultServer, *faultServer) {
	t.Helper()
	f := newFaultServer(t, s)
	backup := newFaultServer(t, step{events: textStream("backup"), done: true})
	primary.Name, primary.BaseURL = "primary", f.URL()
	return serveRelay(t, []relay.Upstream{primary, {Name: "backup", BaseURL: backup.URL(), Priority: 1}}, opts...), f, backup
}

// TestSDKAllCooling: when every candidate is cooling down beyond the wait
// budget, nothing is tried: 503 upstream_cooling_down with a Retry-After
// for the cooldown's end and no x-should-retry, so the client may come back
// then.
func TestSDKAllCooling(t *testing.T) {
	t.Parallel()
	f := newFaultServer(t, step{status: 500, body: errorJSON("server_error", "", "", "down")})
	s := serveRelay(t, []relay.Upstream{{BaseURL: f.URL()}}, relay.WithRetries(0),
		relay.WithHealth(relay.NewMemoryHealth(relay.CooldownPolicy{MinRequests: 1, Base: time.Minute})))
	client := sdktest.Client(s.url) // no SDK retries: it would wait out the Retry-After
	_, err := client.Chat.Completions.New(context.Background(), sdkParams("m", "hi"))
	if e := sdktest.APIError(t, err, 500); e.Response.Header.Get("X-Should-Retry") != "false" {
		t.Errorf("the failed attempt: %v", e.Response.Header)
	}
	_, err = client.Chat.Completions.New(context.Background(), sdkParams("m", "hi"))
	e := sdktest.APIError(t, err, 503)
	h := e.Response.Header
	if e.Code != "upstream_cooling_down" || h.Get("X-Should-Retry") != "" || h.Get("Retry-After") != "60" || h.Get(relay.HeaderAttempts) != "0" {
		t.Errorf("cooling: %s %v", e.RawJSON(), h)
	}
	if n := len(f.Requests()); n != 1 {
		t.Errorf("%d upstream requests, want 1", n)
	}
}

// TestSDKCommitPoint: once output reached the client the relay never
// switches upstream: a stream that breaks is ended with an in-band error
// (the SDK raises it) and the backup is not asked. Before the commit point
// the same break falls back.
func TestSDKCommitPoint(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		step step
		text string // what reaches the client before the error
		code string
	}{
		{"cut", step{events: textStream("partial ", "answer")[:3], cut: true}, "partial answer", "upstream_stream_broken"},
		{"no [DONE], choice open", step{events: textStream("partial")[:2]}, "partial", "upstream_stream_broken"},
		{"malformed chunk", step{events: append(textStream("partial")[:2], `{"choices":[{"delta":{"content":"x`), done: true}, "partial", "upstream_malformed_chunk"},
		{"in-band error", step{events: append(textStream("partial")[:2], errorJSON("server_error", "", "", "the model crashed")), done: true}, "partial", ""},
		{"stalled", step{events: textStream("partial")[:2], stall: true}, "partial", "upstream_timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, f, backup := withBackup(t, tc.step, relay.Upstream{IdleTimeout: time.Second})
			text, resp, err := streamVia(t, s, "m")
			var se *ssestream.StreamError
			if !errors.As(err, &se) {
				t.Fatalf("stream error = %v (text %q), want an in-band error", err, text)
			}
			if text != tc.text || resp.Header.Get(relay.HeaderUpstream) != "primary" {
				t.Errorf("text %q from %s", text, resp.Header.Get(relay.HeaderUpstream))
			}
			if tc.code != "" && !strings.Contains(string(se.Event.Data), `"code":"`+tc.code+`"`) {
				t.Errorf("in-band error %s, want code %s", se.Event.Data, tc.code)
			}
			if tc.code == "" && !strings.Contains(string(se.Event.Data), "the model crashed") {
				t.Errorf("in-band error %s, want the upstream's message", se.Event.Data)
			}
			if n := len(backup.Requests()); n != 0 {
				t.Errorf("backup asked %d times after the commit point", n)
			}
			if n := len(f.Requests()); n != 1 {
				t.Errorf("primary asked %d times after the commit point", n)
			}
		})
	}
}

// TestSDKBeforeCommitPoint: the same breaks before any output (only the
// role chunk, or nothing) fall back to the backup; a stream silent past
// FirstTokenTimeout too.
func TestSDKBeforeCommitPoint(t *testing.T) {
	t.Parallel()
	role := textStream()[:1]
	for _, tc := range []struct {
		name string
		step step
	}{
		{"cut after the role chunk", step{events: role, cut: true}},
		{"malformed first chunk", step{events: []string{`{"choices":[`}, done: true}},
		{"in-band error first", step{events: append(role, errorJSON("server_error", "", "", "crashed")), done: true}},
		{"no first token", step{events: []string{}, stall: true}},
		{"empty stream", step{events: []string{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, _, _ := withBackup(t, tc.step, relay.Upstream{FirstTokenTimeout: 200 * time.Millisecond}, relay.WithRetries(0))
			text, resp, err := streamVia(t, s, "m")
			if err != nil {
				t.Fatalf("%v\n%s", err, s.log)
			}
			if text != "backup" || resp.Header.Get(relay.HeaderUpstream) != "backup" || resp.Header.Get(relay.HeaderAttempts) != "2" {
				t.Errorf("text %q, headers %v", text, resp.Header)
			}
		})
	}
}

// TestSDKOaitestFaults: oaitest's own faults (a 429 with Retry-After, a
// disconnect mid-stream, a malformed chunk, an in-band error after tokens,
// a hang) behind the relay.
func TestSDKOaitestFaults(t *testing.T) {
	t.Parallel()
	t.Run("429 then text", func(t *testing.T) {
		t.Parallel()
		mock := oaitest.NewServer(t)
		mock.On(nil).Reply(oaitest.RateLimited(50*time.Millisecond), oaitest.Text("ok"))
		s := serveRelay(t, []relay.Upstream{{BaseURL: mock.URL()}})
		text, _, err := streamVia(t, s, "m")
		if err != nil || text != "ok" {
			t.Fatalf("text %q, err %v", text, err)
		}
		if reqs := mock.Requests(); len(reqs) != 2 || reqs[1].At.Sub(reqs[0].At) < 50*time.Millisecond {
			t.Errorf("requests %d", len(reqs))
		}
	})
	t.Run("disconnect mid-stream", func(t *testing.T) {
		t.Parallel()
		mock := oaitest.NewServer(t)
		mock.On(nil).Reply(oaitest.Text("one two three four").DisconnectAfter(3))
		s := serveRelay(t, []relay.Upstream{{BaseURL: mock.URL()}})
		text, _, err := streamVia(t, s, "m")
		var se *ssestream.StreamError
		if !errors.As(err, &se) || text == "" || text == "one two three four" {
			t.Fatalf("text %q, err %v", text, err)
		}
	})
	t.Run("malformed chunk first", func(t *testing.T) {
		t.Parallel()
		mock := oaitest.NewServer(t)
		mock.On(nil).Reply(oaitest.Text("bad").MalformedChunk(1), oaitest.Text("good"))
		s := serveRelay(t, []relay.Upstream{{BaseURL: mock.URL()}})
		text, _, err := streamVia(t, s, "m")
		if err != nil || text != "good" {
			t.Fatalf("text %q, err %v", text, err)
		}
	})
	t.Run("in-band error after tokens", func(t *testing.T) {
		t.Parallel()
		mock := oaitest.NewServer(t)
		mock.On(nil).Reply(oaitest.Text("one two three").ErrorAfter(2, &oaicompat.Error{Status: 500, Type: "server_error", Code: "engine_died", Message: "engine died"}))
		s := serveRelay(t, []relay.Upstream{{BaseURL: mock.URL()}})
		text, _, err := streamVia(t, s, "m")
		var se *ssestream.StreamError
		if !errors.As(err, &se) || !strings.Contains(string(se.Event.Data), `"code":"engine_died"`) || text == "" {
			t.Fatalf("text %q, err %v", text, err)
		}
	})
	t.Run("hang", func(t *testing.T) {
		t.Parallel()
		mock := oaitest.NewServer(t)
		mock.On(nil).Reply(oaitest.Hang()).AnyTimes()
		s := serveRelay(t, []relay.Upstream{{BaseURL: mock.URL(), RequestTimeout: 100 * time.Millisecond}}, relay.WithRetries(0))
		_, _, err := chatVia(t, s, "m")
		if e := sdktest.APIError(t, err, 504); e.Code != "upstream_timeout" || e.Response.Header.Get("X-Should-Retry") != "false" {
			t.Errorf("error %s", e.RawJSON())
		}
	})
}

// TestSDKLongLine: a 5 MB content delta in one SSE line passes whole.
func TestSDKLongLine(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("0123456789abcdef", 5<<20/16)
	f := newFaultServer(t, step{events: []string{chunkJSON(`{"role":"assistant","content":`+quote(big)+`}`, ""), chunkJSON(`{}`, "stop")}, done: true})
	s := serveRelay(t, []relay.Upstream{{BaseURL: f.URL()}})
	text, _, err := streamVia(t, s, "m")
	if err != nil {
		t.Fatal(err)
	}
	if text != big {
		t.Errorf("got %d bytes, want %d", len(text), len(big))
	}
}
