package oaitest

import (
	"time"

	"github.com/oaicompat/oaicompat"
)

// An Option configures a Mock.
type Option func(*config)

type config struct {
	report       func(string)
	clock        Clock
	pacing       *Pacing
	lenient      bool
	allowUnknown bool
	models       []string
	strictModels bool
	keepAlive    time.Duration
	quota        *Quota
	wire         wireFaults
	fallback     *Reply
	handlerOpts  []oaicompat.Option
}

func defaultConfig() config {
	return config{
		clock:  RealClock(),
		models: []string{"gpt-4o", "gpt-4o-mini", "text-embedding-3-small", "gpt-image-1"},
	}
}

// WithClock sets the clock behind pacing, quotas and the created
// timestamps. Default RealClock(); use NewAutoClock or NewFakeClock for
// paced tests that take no real time.
func WithClock(c Clock) Option { return func(cfg *config) { cfg.clock = c } }

// WithPacing sets the pacing of replies that set none. Default: no delays.
func WithPacing(p Pacing) Option { return func(cfg *config) { cfg.pacing = &p } }

// WithSplitWrites splits the SSE events of every stream across writes at
// random byte boundaries (see Reply.SplitWrites). Default off.
func WithSplitWrites(seed uint64) Option {
	return func(cfg *config) { cfg.wire.split, cfg.wire.seed = true, seed }
}

// Lenient turns off strict mode: requests the handler rejects (400 for a
// spec violation, 404 for an unknown route) no longer fail the test, and the
// checks the spec cannot express (strict.go) are skipped. The handler still
// answers spec violations with a 400, as OpenAI does. Default strict.
func Lenient() Option { return func(cfg *config) { cfg.lenient = true } }

// AllowUnknownFields accepts request fields that OpenAI does not know
// (vendor extensions such as top_k). By default they are answered with
// OpenAI's 400 "Unrecognized request argument supplied" and fail the test.
func AllowUnknownFields() Option { return func(cfg *config) { cfg.allowUnknown = true } }

// WithModels sets the models GET /v1/models lists when no rule answers it.
// Default gpt-4o, gpt-4o-mini, text-embedding-3-small and gpt-image-1.
func WithModels(ids ...string) Option { return func(cfg *config) { cfg.models = ids } }

// WithKeepAlive makes silent streams send ": ping" comments every d (real
// time). Default 0: none.
func WithKeepAlive(d time.Duration) Option { return func(cfg *config) { cfg.keepAlive = d } }

// WithQuota limits requests and tokens per window; see Quota.
func WithQuota(q Quota) Option { return func(cfg *config) { cfg.quota = &q } }

// WithReporter sets where test failures go (strict-mode violations,
// unmatched requests, unmet rules). NewServer reports to t.Errorf; New
// keeps them for Failures only.
func WithReporter(report func(msg string)) Option { return func(cfg *config) { cfg.report = report } }

// StrictModels makes the mock answer 404 model_not_found, as OpenAI does,
// for a model it does not list (see WithModels). By default it plays any
// model.
func StrictModels() Option { return func(cfg *config) { cfg.strictModels = true } }

// WithHandlerOptions passes options to the oaicompat handler behind the mock
// (for example oaicompat.WithReasoningField).
func WithHandlerOptions(opts ...oaicompat.Option) Option {
	return func(cfg *config) { cfg.handlerOpts = append(cfg.handlerOpts, opts...) }
}

// WithFallback answers requests that no rule matches with reply (Auto()
// for a generic answer) instead of failing the test. Default none: an
// unmatched request is a failure.
func WithFallback(reply *Reply) Option { return func(cfg *config) { cfg.fallback = reply } }
