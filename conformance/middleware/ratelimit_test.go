package middleware_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	goopenai "github.com/sashabaranov/go-openai"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
)

// rateHeaders are the rate-limit headers of a response ("" when absent).
type rateHeaders struct {
	limitReq, remainingReq, resetReq      string
	limitTok, remainingTok, resetTok      string
	retryAfter, retryAfterMs, shouldRetry string
}

func rateHeadersOf(h http.Header) rateHeaders {
	return rateHeaders{
		h.Get("x-ratelimit-limit-requests"), h.Get("x-ratelimit-remaining-requests"), h.Get("x-ratelimit-reset-requests"),
		h.Get("x-ratelimit-limit-tokens"), h.Get("x-ratelimit-remaining-tokens"), h.Get("x-ratelimit-reset-tokens"),
		h.Get("retry-after"), h.Get("retry-after-ms"), h.Get("x-should-retry"),
	}
}

// rateCall is one request in a rate-limit scenario and what it should get.
type rateCall struct {
	key     string
	advance time.Duration // clock advance before the call
	stream  bool
	want    rateHeaders
	errType string // "" for success
	errMsg  string
}

// runRateCalls sends the calls in order through openai-go and checks each.
// srv must be wrapped in settled(done).
func runRateCalls(t *testing.T, srv string, done <-chan struct{}, clock *fakeClock, calls []rateCall) {
	t.Helper()
	for i, c := range calls {
		clock.Advance(c.advance)
		var resp *http.Response
		cl := openai.NewClient(option.WithBaseURL(srv+"/v1/"), option.WithAPIKey(c.key), option.WithMaxRetries(0),
			option.WithResponseInto(&resp))
		var err error
		if c.stream {
			s := cl.Chat.Completions.NewStreaming(testContext(t), chatParams("hi"))
			for s.Next() {
			}
			err = s.Err()
		} else {
			_, err = cl.Chat.Completions.New(testContext(t), chatParams("hi"))
		}
		<-done
		if c.errType == "" && err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if c.errType != "" {
			e := apiError(t, err)
			if e.StatusCode != 429 || e.Type != c.errType || e.Code != "rate_limit_exceeded" || e.Message != c.errMsg {
				t.Fatalf("call %d: got %d %s %s %q\nwant 429 %s rate_limit_exceeded %q", i, e.StatusCode, e.Type, e.Code, e.Message, c.errType, c.errMsg)
			}
			resp = e.Response
		}
		if got := rateHeadersOf(resp.Header); got != c.want {
			t.Fatalf("call %d: headers\n got %+v\nwant %+v", i, got, c.want)
		}
	}
}

func TestRateLimitRequests(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	chain := middleware.Chain(
		middleware.Auth(middleware.StaticKeys(testKeys)),
		middleware.RateLimit(middleware.Limits{Requests: 2}, middleware.WithClock(clock.Now)),
	)
	done := make(chan struct{}, 1)
	srv := serve(t, settled(done)(chain(oaicompat.NewHandler(hello))))
	runRateCalls(t, srv.URL, done, clock, []rateCall{
		{key: aliceKey, want: rateHeaders{limitReq: "2", remainingReq: "1", resetReq: "30s"}},
		{key: aliceKey, stream: true, want: rateHeaders{limitReq: "2", remainingReq: "0", resetReq: "1m0s"}},
		{key: aliceKey, errType: "requests",
			errMsg: "Rate limit reached on requests per min (RPM): Limit 2, Used 2, Requested 1. Please try again in 30s.",
			want:   rateHeaders{limitReq: "2", remainingReq: "0", resetReq: "1m0s", retryAfter: "30", retryAfterMs: "30000"}},
		{key: bobKey, want: rateHeaders{limitReq: "2", remainingReq: "1", resetReq: "30s"}},
		{key: aliceKey, advance: 29*time.Second + 999*time.Millisecond, errType: "requests",
			errMsg: "Rate limit reached on requests per min (RPM): Limit 2, Used 2, Requested 1. Please try again in 1ms.",
			want:   rateHeaders{limitReq: "2", remainingReq: "0", resetReq: "30.001s", retryAfter: "1", retryAfterMs: "1"}},
		{key: aliceKey, advance: time.Millisecond, want: rateHeaders{limitReq: "2", remainingReq: "0", resetReq: "1m0s"}},
	})
}

// usageBackend reports 40 prompt and 10 completion tokens, or fails with a
// 400 (and no usage) when the prompt is "fail".
var usageBackend = oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	if req.LastUserMessage() == "fail" {
		return oaicompat.InvalidRequest("messages", "refused")
	}
	w.SetUsage(oaicompat.Usage{PromptTokens: 40, CompletionTokens: 10, TotalTokens: 50})
	return w.WriteText("fifty tokens")
})

func TestRateLimitTokens(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	chain := middleware.Chain(
		middleware.Auth(middleware.StaticKeys(testKeys)),
		middleware.RateLimit(middleware.Limits{Tokens: 100}, middleware.WithClock(clock.Now),
			middleware.WithTokenEstimator(func(*http.Request, int64) int64 { return 30 })),
	)
	done := make(chan struct{}, 1)
	srv := serve(t, settled(done)(chain(oaicompat.NewHandler(usageBackend))))
	runRateCalls(t, srv.URL, done, clock, []rateCall{
		// 30 estimated, then corrected to the 50 used
		{key: aliceKey, want: rateHeaders{limitTok: "100", remainingTok: "70", resetTok: "18s"}},
		// 50 + 30 estimated; corrected from the stream's usage (the client did not ask for it)
		{key: aliceKey, stream: true, want: rateHeaders{limitTok: "100", remainingTok: "20", resetTok: "48s"}},
		// 100 used: 30 more must wait 18s
		{key: aliceKey, errType: "tokens",
			errMsg: "Rate limit reached for gpt-test on tokens per min (TPM): Limit 100, Used 100, Requested 30. Please try again in 18s.",
			want:   rateHeaders{limitTok: "100", remainingTok: "0", resetTok: "1m0s", retryAfter: "18", retryAfterMs: "18000"}},
		{key: aliceKey, advance: 18 * time.Second, want: rateHeaders{limitTok: "100", remainingTok: "0", resetTok: "1m0s"}},
	})
}

// TestRateLimitRefund: a request that fails without usage gives its
// estimate back.
func TestRateLimitRefund(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	rl := middleware.RateLimit(middleware.Limits{Tokens: 100}, middleware.WithClock(clock.Now),
		middleware.WithTokenEstimator(func(*http.Request, int64) int64 { return 30 }))
	done := make(chan struct{}, 1)
	srv := serve(t, middleware.Chain(settled(done), middleware.Auth(middleware.StaticKeys(testKeys)), rl)(oaicompat.NewHandler(usageBackend)))
	c := client(srv, aliceKey)
	for i := range 3 {
		var resp *http.Response
		_, err := c.Chat.Completions.New(testContext(t), chatParams("fail"), option.WithResponseInto(&resp))
		<-done
		e := apiError(t, err)
		if e.StatusCode != 400 || e.Response.Header.Get("x-ratelimit-remaining-tokens") != "70" {
			t.Fatalf("call %d: %d, remaining %q; want 400 with 70 remaining each time", i, e.StatusCode, e.Response.Header.Get("x-ratelimit-remaining-tokens"))
		}
	}
}

func TestRateLimitRequestTooLarge(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	count := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			next.ServeHTTP(w, r)
		})
	}
	rl := middleware.RateLimit(middleware.Limits{Requests: 10, Tokens: 100},
		middleware.WithTokenEstimator(func(*http.Request, int64) int64 { return 101 }))
	srv := serve(t, count(rl(oaicompat.NewHandler(hello))))
	// the SDK may retry 429s, but x-should-retry: false stops it
	_, err := client(srv, aliceKey, option.WithMaxRetries(3)).Chat.Completions.New(testContext(t), chatParams("hi"))
	e := apiError(t, err)
	want := "Request too large for gpt-test on tokens per min (TPM): Limit 100, Requested 101. The input or output tokens must be reduced in order to run successfully."
	if e.StatusCode != 429 || e.Type != "tokens" || e.Code != "rate_limit_exceeded" || e.Message != want {
		t.Fatalf("got %d %s %s %q", e.StatusCode, e.Type, e.Code, e.Message)
	}
	// the request is given back: nothing was charged
	if got := rateHeadersOf(e.Response.Header); got != (rateHeaders{limitReq: "10", remainingReq: "10", resetReq: "0s", limitTok: "100", remainingTok: "100", resetTok: "0s", shouldRetry: "false"}) {
		t.Fatalf("headers %+v", got)
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("the client sent %d requests, want 1 (no retry)", n)
	}
}

// TestRateLimitRetryAfterHonoured: with retries on, openai-go waits as long
// as retry-after-ms says and then succeeds.
func TestRateLimitRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	type hit struct {
		status       int
		retryAfterMs string
	}
	var (
		mu   sync.Mutex
		hits []hit
	)
	record := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := &statusRecorder{ResponseWriter: w}
			next.ServeHTTP(rec, r)
			mu.Lock()
			hits = append(hits, hit{rec.status, w.Header().Get("retry-after-ms")})
			mu.Unlock()
		})
	}
	rl := middleware.RateLimit(middleware.Limits{Requests: 1, Window: 300 * time.Millisecond})
	srv := serve(t, record(rl(oaicompat.NewHandler(hello))))
	c := client(srv, aliceKey, option.WithMaxRetries(2))
	if _, err := c.Chat.Completions.New(testContext(t), chatParams("one")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	got, err := c.Chat.Completions.New(testContext(t), chatParams("two"))
	elapsed := time.Since(start)
	if err != nil || got.Choices[0].Message.Content != "Hello!" {
		t.Fatalf("after retrying: %v, %v", got, err)
	}
	finish(srv)
	mu.Lock()
	defer mu.Unlock()
	statuses := map[int]int{}
	retryAfterMs := ""
	for _, h := range hits {
		statuses[h.status]++
		if h.status == 429 {
			retryAfterMs = h.retryAfterMs
		}
	}
	if len(hits) != 3 || statuses[200] != 2 || statuses[429] != 1 {
		t.Fatalf("server saw %+v, want 200, 429, 200", hits)
	}
	ms, err := strconv.Atoi(retryAfterMs)
	if err != nil || ms <= 0 || ms > 300 {
		t.Fatalf("retry-after-ms %q", retryAfterMs)
	}
	if elapsed < time.Duration(ms)*time.Millisecond {
		t.Fatalf("the client retried after %v, before the %dms it was told", elapsed, ms)
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) { s.status = code; s.ResponseWriter.WriteHeader(code) }
func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = 200
	}
	return s.ResponseWriter.Write(b)
}
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// TestRateLimitGoOpenAI checks the 429 as go-openai reports it.
func TestRateLimitGoOpenAI(t *testing.T) {
	t.Parallel()
	rl := middleware.RateLimit(middleware.Limits{Requests: 1, Window: time.Hour})
	srv := serve(t, rl(oaicompat.NewHandler(hello)))
	cfg := goopenai.DefaultConfig("k")
	cfg.BaseURL = srv.URL + "/v1"
	c := goopenai.NewClientWithConfig(cfg)
	req := goopenai.ChatCompletionRequest{Model: "m", Messages: []goopenai.ChatCompletionMessage{{Role: "user", Content: "hi"}}}
	if _, err := c.CreateChatCompletion(testContext(t), req); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateChatCompletion(testContext(t), req)
	var e *goopenai.APIError
	if !errors.As(err, &e) || e.HTTPStatusCode != 429 || e.Type != "requests" || e.Code != "rate_limit_exceeded" ||
		!strings.HasPrefix(e.Message, "Rate limit reached on requests per 1h0m0s: Limit 1, Used 1, Requested 1. Please try again in ") {
		t.Fatalf("got %v", err)
	}
}

func TestRateLimitKeys(t *testing.T) {
	t.Parallel()
	tiers := middleware.WithKeyLimits(func(key string) middleware.Limits {
		if key == "bob" {
			return middleware.Limits{} // unlimited
		}
		return middleware.Limits{Requests: 1, Window: time.Hour}
	})
	tests := []struct {
		name    string
		chain   func(http.Handler) http.Handler
		keys    []string // one request each, in order
		want    []int
		headers []bool // whether x-ratelimit-* headers are expected
	}{
		{
			name:  "per key id",
			chain: middleware.Chain(middleware.Auth(middleware.StaticKeys(testKeys)), middleware.RateLimit(middleware.Limits{Requests: 1, Window: time.Hour})),
			keys:  []string{aliceKey, bobKey, aliceKey, bobKey}, want: []int{200, 200, 429, 429}, headers: []bool{true, true, true, true},
		},
		{
			name:  "per tier",
			chain: middleware.Chain(middleware.Auth(middleware.StaticKeys(testKeys)), middleware.RateLimit(middleware.Limits{}, tiers)),
			keys:  []string{aliceKey, bobKey, aliceKey, bobKey}, want: []int{200, 200, 429, 200}, headers: []bool{true, false, true, false},
		},
		{
			name:  "per client address without auth",
			chain: middleware.RateLimit(middleware.Limits{Requests: 1, Window: time.Hour}),
			keys:  []string{aliceKey, bobKey}, want: []int{200, 429}, headers: []bool{true, true},
		},
		{
			name: "custom key function",
			chain: middleware.RateLimit(middleware.Limits{Requests: 1, Window: time.Hour},
				middleware.WithKeyFunc(func(r *http.Request) string { return r.Header.Get("Authorization") })),
			keys: []string{aliceKey, bobKey, bobKey}, want: []int{200, 200, 429}, headers: []bool{true, true, true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, tt.chain(oaicompat.NewHandler(hello)))
			for i, key := range tt.keys {
				var resp *http.Response
				_, err := client(srv, key, option.WithResponseInto(&resp)).Chat.Completions.New(testContext(t), chatParams("hi"))
				if err != nil {
					resp = apiError(t, err).Response
				}
				if resp.StatusCode != tt.want[i] || (resp.Header.Get("x-ratelimit-limit-requests") != "") != tt.headers[i] {
					t.Fatalf("request %d: %d, limit header %q; want %d, present=%v", i, resp.StatusCode,
						resp.Header.Get("x-ratelimit-limit-requests"), tt.want[i], tt.headers[i])
				}
			}
		})
	}
}

// failingStore is a Store whose backend is down.
type failingStore struct{}

func (failingStore) Take(context.Context, string, time.Time, []middleware.Charge) (bool, []middleware.Bucket, error) {
	return false, nil, errors.New("connection refused")
}

func (failingStore) Adjust(context.Context, string, time.Time, middleware.Charge) (middleware.Bucket, error) {
	return middleware.Bucket{}, errors.New("connection refused")
}

func TestRateLimitStoreDown(t *testing.T) {
	t.Parallel()
	rl := middleware.RateLimit(middleware.Limits{Requests: 5}, middleware.WithStore(failingStore{}))
	_, err := client(serve(t, rl(oaicompat.NewHandler(hello))), aliceKey).Chat.Completions.New(testContext(t), chatParams("hi"))
	e := apiError(t, err)
	if e.StatusCode != 503 || e.Type != "server_error" || e.Response.Header.Get("Retry-After") != "1" ||
		e.Message != "The rate limiter is unavailable. Please retry your request." {
		t.Fatalf("got %d %s %q retry-after %q", e.StatusCode, e.Type, e.Message, e.Response.Header.Get("Retry-After"))
	}
}

// TestRateLimitDefaultEstimate: the handler's estimate is charged, and the
// body reaches the backend intact.
func TestRateLimitDefaultEstimate(t *testing.T) {
	t.Parallel()
	echo := oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		return w.WriteText(req.LastUserMessage()) // no usage: the estimate stands
	})
	srv := serve(t, middleware.RateLimit(middleware.Limits{Tokens: 100_000})(oaicompat.NewHandler(echo)))
	prompt := strings.Repeat("lorem ipsum ", 100)
	body := `{"model":"gpt-test","n":2,"max_completion_tokens":50,"messages":[{"role":"user","content":"` + prompt + `"}]}`
	resp, err := srv.Client().Post(srv.URL+"/v1/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Choices []struct {
			Message struct{ Content string }
		}
	}
	err = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	want := 100_000 - (int64(len(body))+3)/4 - 2*50
	if resp.StatusCode != 200 || resp.Header.Get("x-ratelimit-remaining-tokens") != strconv.FormatInt(want, 10) {
		t.Fatalf("got %d, remaining %q; want 200, %d", resp.StatusCode, resp.Header.Get("x-ratelimit-remaining-tokens"), want)
	}
	if err != nil || len(out.Choices) != 2 || out.Choices[0].Message.Content != prompt || out.Choices[1].Message.Content != prompt {
		t.Fatalf("the backend did not see the whole prompt: %v %+v", err, out)
	}
}
