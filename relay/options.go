package relay

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// This file holds everything a user configures: the Upstream and Azure
// structs (their zero fields take the defaults documented on them), the
// CooldownPolicy, and the relay-wide Options.

// Upstream describes one OpenAI-compatible server the [Relay] forwards to.
// Zero fields take the defaults given with each field.
type Upstream struct {
	// Name identifies the upstream in the x-oaicompat-upstream response
	// header, in logs and in the [Health] state; names must be unique.
	// Default: the host of BaseURL.
	Name string
	// BaseURL is the URL the API paths (/chat/completions, /embeddings,
	// /images/generations, /models) are appended to, version prefix
	// included: "https://api.openai.com/v1", "http://127.0.0.1:8000/v1".
	// With Azure set it is the resource endpoint
	// ("https://NAME.openai.azure.com"). Required.
	BaseURL string
	// Keys are the API keys, sent as "Authorization: Bearer KEY" (with
	// Azure: "api-key: KEY"). Each attempt takes a random key that is not
	// cooling down; a key answered 401, 402 or 403 (or 429
	// insufficient_quota) is dead for the rest of the request and cooled
	// down for CooldownPolicy.Max. Default none: no auth header is sent.
	Keys []string
	// Header is added to every request to this upstream, after the auth
	// header (so it may replace it). Default none.
	Header http.Header
	// Models maps the model names this upstream serves, as clients name
	// them (after WithAliases), to the upstream's own names. A key may hold
	// '*' wildcards; a '*' in the value is replaced by the text the key's
	// first '*' matched ("llama-*": "meta-llama/Llama-*"); an empty value
	// keeps the client's name. An exact key wins over patterns, a longer
	// pattern over a shorter one. Default (nil): every model, under the
	// client's name.
	Models map[string]string
	// Azure, when set, makes the relay speak Azure OpenAI's deployment URLs
	// (the upstream model name is the deployment) with the api-key header.
	Azure *Azure
	// Weight is the upstream's share of traffic among the upstreams of the
	// same Priority serving a model (weighted random order). Default (0) 1.
	Weight int
	// Priority orders the upstreams serving a model: every upstream of the
	// lowest Priority is tried before any of the next. Default 0.
	Priority int
	// MaxConcurrent bounds the requests in flight to this upstream; more
	// wait in a queue. Default 128; negative means unlimited.
	MaxConcurrent int
	// MaxQueue bounds the requests waiting for a slot; when it is full the
	// upstream is skipped for the next candidate. Default 4×MaxConcurrent.
	MaxQueue int
	// QueueTimeout bounds one wait for a slot; on expiry the upstream is
	// skipped. Default 10s.
	QueueTimeout time.Duration
	// ConnectTimeout bounds dialing and the TLS handshake. Default 5s.
	ConnectTimeout time.Duration
	// FirstTokenTimeout is the time-to-first-byte budget of a stream: from
	// sending the request to its first SSE event (response headers
	// included). An attempt that exceeds it is retried or falls back like
	// a 5xx. It is also the transport's ResponseHeaderTimeout unless
	// RequestTimeout is longer. Default 60s.
	FirstTokenTimeout time.Duration
	// IdleTimeout is the longest silence allowed between two reads of a
	// stream once it has begun (a separate knob from FirstTokenTimeout).
	// Streams have no whole-request timeout. Default 60s.
	IdleTimeout time.Duration
	// RequestTimeout bounds a whole non-streamed exchange (chat with
	// stream:false, embeddings, images, models): the upstream sends its
	// headers only when the answer is ready. Default 10m.
	RequestTimeout time.Duration
	// MaxIdleConns is the number of idle keep-alive connections kept open
	// to the upstream. Default MaxConcurrent (64 when unlimited).
	MaxIdleConns int
	// Transport, when set, replaces the tuned *http.Transport the relay
	// builds (for proxies, mTLS or tests): ConnectTimeout and MaxIdleConns
	// are then the Transport's business; the other timeouts still apply.
	Transport http.RoundTripper
}

// Azure selects Azure OpenAI's URL shape for an [Upstream]:
//
//	POST {BaseURL}/openai/deployments/{deployment}/chat/completions?api-version=...
//
// with the key in an api-key header. The deployment is the upstream model
// name (see Upstream.Models).
type Azure struct {
	// APIVersion is the api-version query parameter. Default "2024-10-21".
	APIVersion string
}

// CooldownPolicy says when a target (an upstream, or one key of an
// upstream) stops receiving requests and how it comes back. It is the
// configuration of the [Health] implementations ([NewMemoryHealth], the
// Redis one in module github.com/oaicompat/oaicompat/redisstore):
//
//   - a target trips when, within one Window, at least MinRequests attempts
//     were made and at least FailureRate of them failed (connect errors,
//     5xx, 529, timeouts, broken streams; never 4xx client errors);
//   - a trip cools it down for Base, doubled on each consecutive trip;
//     a 429 cools its key for its Retry-After (Base when it has none), a
//     dead key for Max; every cooldown is capped at Max, and a new cooldown
//     never shortens one in force (the deadline only grows);
//   - after the deadline one request, the half-open probe, is let through;
//     its success closes the target (counters and trips reset), its failure
//     trips it again. Other requests skip the target until the probe ends
//     or ProbeTimeout passes.
type CooldownPolicy struct {
	// Window is the span failure rates are counted over. Default 60s.
	Window time.Duration
	// MinRequests is the sample a rate needs before it can trip. Default 5.
	MinRequests int
	// FailureRate is the share of failed attempts that trips. Default 0.5.
	FailureRate float64
	// Base is the first cooldown after a trip. Default 5s.
	Base time.Duration
	// Max caps every cooldown. Default 5m.
	Max time.Duration
	// ProbeTimeout bounds how long a half-open probe holds the target.
	// Default 30s.
	ProbeTimeout time.Duration
}

// DefaultCooldownPolicy is the policy of the default [Health].
var DefaultCooldownPolicy = CooldownPolicy{
	Window:       60 * time.Second,
	MinRequests:  5,
	FailureRate:  0.5,
	Base:         5 * time.Second,
	Max:          5 * time.Minute,
	ProbeTimeout: 30 * time.Second,
}

// WithDefaults returns p with its zero fields taken from
// [DefaultCooldownPolicy], as every [Health] applies it.
func (p CooldownPolicy) WithDefaults() CooldownPolicy {
	d := DefaultCooldownPolicy
	if p.Window <= 0 {
		p.Window = d.Window
	}
	if p.MinRequests <= 0 {
		p.MinRequests = d.MinRequests
	}
	if p.FailureRate <= 0 {
		p.FailureRate = d.FailureRate
	}
	if p.Base <= 0 {
		p.Base = d.Base
	}
	if p.Max <= 0 {
		p.Max = d.Max
	}
	if p.ProbeTimeout <= 0 {
		p.ProbeTimeout = d.ProbeTimeout
	}
	return p
}

// An Option configures a [Relay]. Each With… function documents its
// default.
type Option func(*options)

type options struct {
	aliases       map[string]string
	fallbacks     map[string][]string
	retries       int
	maxAttempts   int
	backoffBase   time.Duration
	backoffMax    time.Duration
	retryBudget   time.Duration
	health        Health
	healthTimeout time.Duration
	healthPause   time.Duration
	logger        *slog.Logger
	setHeader     HeaderFunc
	maxEventBytes int
	modelsTTL     time.Duration
	now           func() time.Time
	sleep         func(ctx context.Context, d time.Duration) error
	intn          func(n int) int
	float         func() float64
}

func defaultOptions() options {
	return options{
		retries:       2,
		maxAttempts:   6,
		backoffBase:   250 * time.Millisecond,
		backoffMax:    4 * time.Second,
		retryBudget:   30 * time.Second,
		healthTimeout: 50 * time.Millisecond,
		healthPause:   5 * time.Second,
		logger:        slog.Default(),
		setHeader:     SetHeader,
		maxEventBytes: 32 << 20,
		modelsTTL:     time.Minute,
		now:           time.Now,
		sleep:         sleepCtx,
	}
}

// WithAliases maps client model names to the names routing uses: a key
// with '*' wildcards is a pattern, and a '*' in its value is replaced by
// what the key's first '*' matched ("gpt4*": "gpt-4o*"). An alias is
// resolved once, not recursively. Default none.
func WithAliases(aliases map[string]string) Option {
	return func(o *options) { o.aliases = aliases }
}

// WithFallbacks gives, per model (after aliases), the models tried in order
// once every upstream serving it failed or was cooling down:
// {"gpt-4o": {"gpt-4o-mini", "llama-3.1-70b"}}. Fallbacks are not
// followed recursively. Default none.
func WithFallbacks(fallbacks map[string][]string) Option {
	return func(o *options) { o.fallbacks = fallbacks }
}

// WithRetries sets how many times one upstream is retried (with backoff)
// after a retryable failure before the next candidate is tried: connect
// errors, resets, timeouts, 408, 409, 5xx, 529 and 429. Default 2.
func WithRetries(n int) Option { return func(o *options) { o.retries = max(n, 0) } }

// WithMaxAttempts caps the attempts of one request across all upstreams,
// retries and fallbacks. Default 6.
func WithMaxAttempts(n int) Option { return func(o *options) { o.maxAttempts = max(n, 1) } }

// WithBackoff sets the retry backoff: min(base·2^n, max) for the n-th
// retry of an upstream, times a random factor in [0.8, 1.2). Default 250ms
// and 4s.
func WithBackoff(base, max time.Duration) Option {
	return func(o *options) { o.backoffBase, o.backoffMax = base, max }
}

// WithRetryBudget bounds the time one request may spend waiting before a
// retry: backoff, Retry-After hints and waits for a cooldown to end. A hint
// beyond what is left moves on to the next candidate instead of waiting.
// Default 30s.
func WithRetryBudget(d time.Duration) Option { return func(o *options) { o.retryBudget = d } }

// WithHealth sets where cooldown state is kept, for example a Redis store
// shared by replicas (module github.com/oaicompat/oaicompat/redisstore).
// Each call to it has a deadline (WithHealthTimeout); when it fails the
// relay uses its local state for a while and logs it, so an outage of the
// store never stalls requests; the local state applies the store's policy
// when it has a Policy() CooldownPolicy method. Default
// NewMemoryHealth(DefaultCooldownPolicy).
func WithHealth(h Health) Option { return func(o *options) { o.health = h } }

// WithHealthTimeout sets the deadline of each call to a shared [Health]
// (see WithHealth) and how long the relay keeps to its local state after
// one failed. Default 50ms and 5s.
func WithHealthTimeout(deadline, pause time.Duration) Option {
	return func(o *options) { o.healthTimeout, o.healthPause = deadline, pause }
}

// WithLogger sets where attempts are logged: failures at Warn, successes
// at Debug, with the upstream, status and error type, never request or
// response bodies or keys. Default slog.Default().
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithHeaderFunc sets how the relay adds response headers (the upstream
// that answered, the attempts, its overhead) to the response of a request
// it serves. Default [SetHeader], which needs the [Headers] middleware
// around the handler; error responses carry the headers in any case.
func WithHeaderFunc(f HeaderFunc) Option { return func(o *options) { o.setHeader = f } }

// WithMaxEventBytes bounds one SSE event of an upstream stream and one
// non-streamed upstream response body, which bounds the relay's memory per
// request. Lines are never cut: a larger event fails the attempt. Default
// 32 MiB (a multi-MB base64 image in one data: line passes).
func WithMaxEventBytes(n int) Option { return func(o *options) { o.maxEventBytes = n } }

// WithModelsTTL sets how long the merged model list of the upstreams is
// cached. Default 1m.
func WithModelsTTL(d time.Duration) Option { return func(o *options) { o.modelsTTL = d } }
