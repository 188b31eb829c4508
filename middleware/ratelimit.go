package middleware

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
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
	estimate  func(r *http.Request, body []byte) int64
	now       func() time.Time
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

// WithTokenEstimator sets how many tokens a request is expected to use,
// charged before it runs (and corrected from the reported usage after).
// Default EstimateTokens(body).
func WithTokenEstimator(f func(r *http.Request, body []byte) int64) RateLimitOption {
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

// maxEstimateBody bounds what RateLimit reads to estimate tokens, as an
// oaicompat.Handler bounds bodies by default; put BodyLimit in front of
// RateLimit for a lower bound.
const maxEstimateBody = 32 << 20

// RateLimit limits requests and tokens per key (see WithKeyFunc) as OpenAI
// does. Before a request runs, one request and its estimated tokens (see
// WithTokenEstimator) are charged; when it ends, the tokens are corrected to
// the usage the backend reported through oaicompat.CallInfo (a request
// that failed without usage is refunded). A request over a limit is
// answered 429 in the envelope, with type "requests" or "tokens", code
// "rate_limit_exceeded", and Retry-After (seconds) and retry-after-ms
// headers, which the SDKs wait for before retrying. Every response, 429s
// included, carries the x-ratelimit-limit-*, x-ratelimit-remaining-* and
// x-ratelimit-reset-* headers of the limits in force (reset as a duration,
// "1s", "6m0s", "20ms": the time until the bucket is full again). A request
// estimated above the whole token limit can never pass: it is answered 429
// "Request too large" with x-should-retry: false. When the store fails the
// request is answered 503 with Retry-After: 1, or served unlimited with
// WithFailOpen.
//
// Limits refill continuously (GCRA, see Store): with 60 requests per minute,
// one more request is allowed every second, and up to 60 at once after a
// quiet minute. The token limit applies to requests with a body only when
// Tokens is set; the body is then read (up to 32 MiB) and handed on intact.
func RateLimit(limits Limits, opts ...RateLimitOption) func(http.Handler) http.Handler {
	cfg := rateLimitConfig{
		limitsFor: func(string) Limits { return limits },
		keyOf:     defaultRateKey,
		estimate:  func(_ *http.Request, body []byte) int64 { return EstimateTokens(body) },
		now:       time.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.store == nil {
		cfg.store = NewMemoryStore()
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { cfg.serve(w, r, next) })
	}
}

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
	var (
		estimate int64
		body     []byte
	)
	if lim.Tokens > 0 {
		buf, err := bufferBody(w, r)
		if err != nil {
			oaicompat.WriteErrorFor(w, r, err)
			return
		}
		defer putBodyBuffer(buf)
		body = buf.Bytes()
		r2 := *r
		r2.Body = &bodyReader{Reader: *bytes.NewReader(body)}
		r = &r2
		estimate = c.estimate(r, body)
		if estimate > lim.Tokens {
			oaicompat.WriteErrorFor(w, r, requestTooLarge(lim, estimate, body))
			return
		}
	}

	var chargesA [2]Charge
	charges := chargesA[:0]
	if lim.Requests > 0 {
		charges = append(charges, Charge{Name: bucketRequests, Limit: lim.Requests, Window: lim.Window, Cost: 1})
	}
	if lim.Tokens > 0 {
		charges = append(charges, Charge{Name: bucketTokens, Limit: lim.Tokens, Window: lim.Window, Cost: estimate})
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
	h := w.Header()
	for i, ch := range charges {
		setLimitHeaders(h, ch, buckets[i])
	}
	if !ok {
		oaicompat.WriteErrorFor(w, r, refusal(lim, charges, buckets, body))
		return
	}

	if lim.Tokens == 0 {
		next.ServeHTTP(w, r)
		return
	}
	ctx, ci := oaicompat.NewCallInfoContext(r.Context())
	next.ServeHTTP(w, r.WithContext(ctx))
	used := int64(ci.Usage.TotalTokens)
	if used == 0 {
		used = int64(ci.Usage.PromptTokens + ci.Usage.CompletionTokens)
	}
	if used == 0 && ci.Err == nil {
		return // no usage reported: the estimate stands
	}
	if delta := used - estimate; delta != 0 {
		tokens := charges[len(charges)-1]
		tokens.Cost = delta
		_, _ = c.store.Adjust(context.WithoutCancel(r.Context()), key, c.now(), tokens)
	}
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

// limitHeaders are the canonical x-ratelimit-{limit,remaining,reset}-* names
// of each bucket.
var limitHeaders = map[string][3]string{
	bucketRequests: {"X-Ratelimit-Limit-Requests", "X-Ratelimit-Remaining-Requests", "X-Ratelimit-Reset-Requests"},
	bucketTokens:   {"X-Ratelimit-Limit-Tokens", "X-Ratelimit-Remaining-Tokens", "X-Ratelimit-Reset-Tokens"},
}

// setLimitHeaders sets x-ratelimit-{limit,remaining,reset}-{requests,tokens}.
func setLimitHeaders(h http.Header, c Charge, b Bucket) {
	names := limitHeaders[c.Name]
	h[names[0]] = []string{strconv.FormatInt(c.Limit, 10)}
	h[names[1]] = []string{strconv.FormatInt(b.Remaining, 10)}
	h[names[2]] = []string{ceilMillis(b.Reset).String()}
}

// ceilMillis rounds d up to a whole millisecond, so that waiting as long as
// told is always enough.
func ceilMillis(d time.Duration) time.Duration {
	return (d + time.Millisecond - 1) / time.Millisecond * time.Millisecond
}

// refusal is the 429 for the bucket(s) that refused: the requests bucket
// names the error when both did, and Retry-After covers all of them.
func refusal(lim Limits, charges []Charge, buckets []Bucket, body []byte) *oaicompat.Error {
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
		forModel(body), c.Name, per(lim.Window, c.Name), c.Limit, c.Limit-b.Remaining, c.Cost, wait))
	if c.Name == bucketTokens {
		e.Type = oaicompat.TypeTokens
	}
	return e
}

func requestTooLarge(lim Limits, estimate int64, body []byte) *oaicompat.Error {
	e := &oaicompat.Error{Status: http.StatusTooManyRequests, Type: oaicompat.TypeTokens, Code: "rate_limit_exceeded", Message: fmt.Sprintf(
		"Request too large%s on tokens per %s: Limit %d, Requested %d. "+
			"The input or output tokens must be reduced in order to run successfully.",
		forModel(body), per(lim.Window, bucketTokens), lim.Tokens, estimate)}

	e.Header = http.Header{"X-Should-Retry": {"false"}} // waiting cannot help
	return e
}

var errLimiterDown = func() *oaicompat.Error {
	e := &oaicompat.Error{Status: http.StatusServiceUnavailable, Type: oaicompat.TypeServerError, Message: "The rate limiter is unavailable. Please retry your request."}

	e.Header = http.Header{"Retry-After": {"1"}}
	return e
}()

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
