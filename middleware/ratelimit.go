package middleware

import (
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/oaicompat/oaicompat"
)

// Limits are what one key may use per Window. A zero count is no limit.
type Limits struct {
	// Requests is the number of requests per Window.
	Requests int64
	// Tokens is the number of tokens (prompt and completion) per Window.
	Tokens int64
	// Window is the period the counts apply to. Default time.Minute, the
	// period of OpenAI's RPM and TPM limits.
	Window time.Duration
}

// A RateLimitOption configures RateLimit.
type RateLimitOption func(*rateLimitConfig)

type rateLimitConfig struct {
	store     Store
	limitsFor func(key string) Limits
	keyOf     func(r *http.Request) string
	estimate  func(r *http.Request, estimate int64) int64 // nil: the handler's estimate
	now       func() time.Time
	calls     sync.Pool // of *rateCall
	failOpen  bool
}

// WithStore sets where buckets are kept. Default a NewMemoryStore for this
// middleware; use the Redis store of module
// github.com/oaicompat/oaicompat/redisstore (redisstore.NewRateLimitStore)
// to share limits between replicas.
func WithStore(s Store) RateLimitOption { return func(c *rateLimitConfig) { c.store = s } }

// WithKeyLimits sets the limits of each key, for tiers or per-customer
// quotas; a key whose Limits are all zero is not limited. Default: the
// limits given to RateLimit, for every key.
func WithKeyLimits(f func(key string) Limits) RateLimitOption {
	return func(c *rateLimitConfig) { c.limitsFor = f }
}

// WithKeyFunc sets what a request is limited by. Default: the key id that
// Auth (or ContextWithKeyID) put in the context, else "ip:" and the
// client's address (http.Request.RemoteAddr: put a trusted proxy-header
// middleware first when behind a proxy).
func WithKeyFunc(f func(r *http.Request) string) RateLimitOption {
	return func(c *rateLimitConfig) { c.keyOf = f }
}

// WithTokenEstimator sets how many tokens a request is charged when it is
// admitted (and corrected from the reported usage after). f is called once
// the handler has decoded and validated the request (see
// [oaicompat.CallInfo].Admit), with the handler's own estimate: about one
// token per four bytes of the body plus the most the request may generate
// (max_completion_tokens, max_tokens or max_output_tokens, times n). The
// request's [oaicompat.CallInfo] (oaicompat.CallInfoFromContext of
// r.Context()) already names the model and whether it streams. f must not
// read r.Body. Default: the handler's estimate, unchanged.
func WithTokenEstimator(f func(r *http.Request, estimate int64) int64) RateLimitOption {
	return func(c *rateLimitConfig) { c.estimate = f }
}

// WithFailOpen serves requests unlimited while the store fails (a Redis
// outage), instead of answering them 503 with Retry-After: 1 (fail closed,
// the default). Fail open keeps the API up and the limits off; fail closed
// keeps the limits and the API down for as long as the store is.
func WithFailOpen() RateLimitOption { return func(c *rateLimitConfig) { c.failOpen = true } }

// WithClock sets the clock of the limiter. Default time.Now.
func WithClock(now func() time.Time) RateLimitOption {
	return func(c *rateLimitConfig) { c.now = now }
}

// RateLimit limits requests and tokens per key (see WithKeyFunc) as OpenAI
// does. One request is charged before the handler runs; the tokens are
// charged when the handler admits the request: an oaicompat.Handler calls
// [oaicompat.CallInfo].Admit once it has decoded and validated the body,
// before the backend runs, with its estimate of the tokens the request may
// use (see WithTokenEstimator). RateLimit itself never reads the request
// body. When the request ends, the tokens are corrected to the usage
// recorded in its CallInfo: what the backend reported, or, for a stream the
// client hung up on (or that timed out or failed), what was written to the
// client. A request that failed before any output gives its estimate back.
// Behind a handler that never calls Admit, tokens are charged after the
// request from the usage it records, if any.
//
// A request over a limit is answered 429 in the envelope, with type
// "requests" or "tokens", code "rate_limit_exceeded", and Retry-After
// (seconds) and retry-after-ms headers, which the SDKs wait for before
// retrying; a request refused for its tokens is not counted as a request.
// Every response, 429s included, carries the x-ratelimit-limit-*,
// x-ratelimit-remaining-* and x-ratelimit-reset-* headers of the limits in
// force (reset as a duration, "1s", "6m0s", "20ms": the time until the
// bucket is full again). A request estimated above the whole token limit
// can never pass: it is answered 429 "Request too large" with
// x-should-retry: false. When the store fails the request is answered 503
// with Retry-After: 1, or served unlimited with WithFailOpen.
//
// Limits refill continuously (GCRA, see Store): with 60 requests per minute,
// one more request is allowed every second, and up to 60 at once after a
// quiet minute.
func RateLimit(limits Limits, opts ...RateLimitOption) func(http.Handler) http.Handler {
	cfg := &rateLimitConfig{
		limitsFor: func(string) Limits { return limits },
		keyOf:     defaultRateKey,
		now:       time.Now,
	}
	for _, o := range opts {
		o(cfg)
	}
	if cfg.store == nil {
		cfg.store = NewMemoryStore()
	}
	cfg.calls.New = func() any {
		rc := &rateCall{c: cfg}
		rc.admit = rc.admitTokens // bound once per pooled call, not per request
		return rc
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { cfg.serve(w, r, next) })
	}
}

// serve charges the request before the handler runs, and lets the handler
// admit its tokens.
func (c *rateLimitConfig) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	key := c.keyOf(r)
	lim := c.limitsFor(key)
	if lim.Window <= 0 {
		lim.Window = time.Minute
	}
	if lim.Requests <= 0 && lim.Tokens <= 0 {
		next.ServeHTTP(w, r)
		return
	}
	rc := c.calls.Get().(*rateCall)
	defer rc.release()
	rc.start(w, r, key, lim)
	// The tokens bucket is charged nothing yet: a bucket in debt refuses
	// at once, and the response carries its headers.
	charges := rc.charges[:0]
	if lim.Requests > 0 {
		charges = append(charges, Charge{Name: bucketRequests, Limit: lim.Requests, Window: lim.Window, Cost: 1})
	}
	if lim.Tokens > 0 {
		charges = append(charges, Charge{Name: bucketTokens, Limit: lim.Tokens, Window: lim.Window})
	}
	ok, buckets, err := c.store.Take(r.Context(), key, c.now(), charges)
	if err != nil && c.failOpen {
		next.ServeHTTP(w, r)
		return
	}
	if err != nil {
		oaicompat.WriteErrorFor(w, r, errLimiterDown.WithCause(err))
		return
	}
	setLimitHeaders(w.Header(), charges, buckets)
	if !ok {
		oaicompat.WriteErrorFor(w, r, refusal(lim, charges, buckets, ""))
		return
	}
	if lim.Tokens <= 0 {
		next.ServeHTTP(w, r)
		return
	}
	rc.serve(next)
}

// Bucket names, as used in the x-ratelimit-* headers and error types.
const (
	bucketRequests = "requests"
	bucketTokens   = "tokens"
)

func defaultRateKey(r *http.Request) string {
	if id := KeyIDFromContext(r.Context()); id != "" {
		return id
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "ip:" + host
}

// refusal is the 429 for the bucket(s) that refused: the requests bucket
// names the error when both did, and Retry-After covers all of them.
func refusal(lim Limits, charges []Charge, buckets []Bucket, model string) *oaicompat.Error {
	var wait time.Duration
	named := -1
	for i, b := range buckets {
		if b.RetryAfter > 0 {
			wait = max(wait, b.RetryAfter)
			if named < 0 {
				named = i
			}
		}
	}
	if named < 0 { // a bucket in debt refused a zero charge
		named = len(charges) - 1
	}
	c, b := charges[named], buckets[named]
	wait = ceilMillis(wait)
	e := oaicompat.RateLimited(wait, fmt.Sprintf(
		"Rate limit reached%s on %s per %s: Limit %d, Used %d, Requested %d. Please try again in %s.",
		forModel(model), c.Name, per(lim.Window, c.Name), c.Limit, c.Limit-b.Remaining, c.Cost, wait))
	if c.Name == bucketTokens {
		e.Type = oaicompat.TypeTokens
	}
	return e
}

func requestTooLarge(lim Limits, estimate int64, model string) *oaicompat.Error {
	e := &oaicompat.Error{Status: http.StatusTooManyRequests, Type: oaicompat.TypeTokens, Code: "rate_limit_exceeded", Message: fmt.Sprintf(
		"Request too large%s on tokens per %s: Limit %d, Requested %d. "+
			"The input or output tokens must be reduced in order to run successfully.",
		forModel(model), per(lim.Window, bucketTokens), lim.Tokens, estimate)}

	e.Header = http.Header{"X-Should-Retry": {"false"}} // waiting cannot help
	return e
}

var errLimiterDown = func() *oaicompat.Error {
	e := &oaicompat.Error{Status: http.StatusServiceUnavailable, Type: oaicompat.TypeServerError, Message: "The rate limiter is unavailable. Please retry your request."}

	e.Header = http.Header{"Retry-After": {"1"}}
	return e
}()

// forModel returns " for MODEL" when the request named a model.
func forModel(model string) string {
	if model == "" {
		return ""
	}
	return " for " + model
}

// per names a window the way OpenAI's messages do: "min (RPM)", "min (TPM)".
func per(window time.Duration, bucket string) string {
	if window != time.Minute {
		return window.String()
	}
	if bucket == bucketTokens {
		return "min (TPM)"
	}
	return "min (RPM)"
}
