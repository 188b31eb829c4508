package relay

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/oaicompat/oaicompat"
)

// Relay is an [oaicompat.Backend] that forwards every request to one or
// more OpenAI-compatible upstreams, with routing, retries, fallbacks and
// cooldowns. It implements every optional capability:
// [oaicompat.MultiChoice] (n>1 is one upstream request),
// [oaicompat.Embedder], [oaicompat.ImageGenerator] and
// [oaicompat.ModelLister]. The Responses API and legacy completions reach
// it through the handler's translation onto Chat.
//
// A Relay is safe for concurrent use. Close releases its idle connections.
type Relay struct {
	ups     []*upstream // sorted by Priority
	aliases mapping
	opts    options
	health  Health
	models  modelCache
}

var (
	_ oaicompat.Backend        = (*Relay)(nil)
	_ oaicompat.MultiChoice    = (*Relay)(nil)
	_ oaicompat.Embedder       = (*Relay)(nil)
	_ oaicompat.ImageGenerator = (*Relay)(nil)
	_ oaicompat.ModelLister    = (*Relay)(nil)
)

// New returns a Relay forwarding to upstreams, configured by opts. It fails
// when an upstream has no valid BaseURL or two share a Name.
func New(upstreams []Upstream, opts ...Option) (*Relay, error) {
	if len(upstreams) == 0 {
		return nil, errors.New("relay: no upstreams")
	}
	r := &Relay{opts: defaultOptions()}
	for _, o := range opts {
		o(&r.opts)
	}
	if r.opts.float == nil {
		r.opts.float = rand.Float64
	}
	if r.opts.intn == nil {
		r.opts.intn = rand.IntN
	}
	r.aliases = newMapping(r.opts.aliases)
	seen := map[string]bool{}
	for _, u := range upstreams {
		up, err := newUpstream(u)
		if err != nil {
			return nil, err
		}
		if seen[up.name] {
			return nil, fmt.Errorf("relay: two upstreams are named %q", up.name)
		}
		seen[up.name] = true
		r.ups = append(r.ups, up)
	}
	slices.SortStableFunc(r.ups, func(a, b *upstream) int { return a.cfg.Priority - b.cfg.Priority })
	switch h := r.opts.health; h.(type) {
	case nil:
		r.health = NewMemoryHealth(DefaultCooldownPolicy)
	case *MemoryHealth:
		r.health = h
	default:
		policy := DefaultCooldownPolicy
		if p, ok := h.(interface{ Policy() CooldownPolicy }); ok {
			policy = p.Policy()
		}
		r.health = newGuardedHealth(h, policy, r.opts.healthTimeout, r.opts.healthPause, r.opts.logger)
	}
	return r, nil
}

// Close closes the idle connections to the upstreams. Requests in flight
// are not interrupted.
func (r *Relay) Close() {
	for _, u := range r.ups {
		u.close()
	}
}

// Chat implements [oaicompat.Backend]: it forwards req to an upstream and
// writes the answer to w as it arrives.
func (r *Relay) Chat(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	return r.chat(ctx, req, w)
}

// ChatChoices implements [oaicompat.MultiChoice]: a request with n>1 is
// one upstream request whose choices are written to w.Choice(i).
func (r *Relay) ChatChoices(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	return r.chat(ctx, req, w)
}

func (r *Relay) chat(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	ws := newChoiceWriters(w, req.Choices())
	c := r.newCall(ctx, req.Model)
	return c.run(func(a *attempt) error {
		body, err := chatBody(req, a.cand.model)
		if err != nil {
			return err
		}
		resp, err := a.send("/chat/completions", body, req.Stream)
		if err != nil {
			return err
		}
		t := newTranslator(ws, req.Choices())
		if req.Stream {
			return a.stream(resp, t)
		}
		return a.complete(resp, t)
	})
}

// now is the relay's clock.
func (r *Relay) now() time.Time { return r.opts.now() }

// sleepCtx waits d, or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d): // collected when unreferenced (Go 1.23+), even if ctx ends first
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
