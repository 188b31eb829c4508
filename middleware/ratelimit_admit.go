package middleware

import (
	"context"
	"net/http"
	"time"

	"github.com/oaicompat/oaicompat"
)

// rateCall is one request's passage through RateLimit once its request was
// charged: the handler admits its tokens through admit (set as
// [oaicompat.CallInfo].Admit), and settle corrects them to the usage. It is
// pooled, and admit is bound once per pooled value, so a request costs no
// closure.
type rateCall struct {
	c       *rateLimitConfig
	admit   func(estimatedTokens int) error // rc.admitTokens
	w       http.ResponseWriter
	r       *http.Request
	ci      *oaicompat.CallInfo
	prev    func(estimatedTokens int) error // an outer admission (another RateLimit), called first
	key     string
	lim     Limits
	charges [2]Charge
	charged int64 // tokens charged at admission
	state   admission
	after   detached // the request's context, for the store calls after it
}

// detached is a context that keeps its parent's values but never ends, as
// context.WithoutCancel makes, kept in rateCall so that it costs no
// allocation: the usage is charged even when the client is gone.
type detached struct{ context.Context }

func (detached) Deadline() (time.Time, bool) { return time.Time{}, false }
func (detached) Done() <-chan struct{}       { return nil }
func (detached) Err() error                  { return nil }

type admission uint8

const (
	notAsked admission = iota // the handler never called Admit
	admitted
	refused
)

// start readies rc for a request.
func (rc *rateCall) start(w http.ResponseWriter, r *http.Request, key string, lim Limits) {
	rc.w, rc.r, rc.key, rc.lim = w, r, key, lim
	rc.charged, rc.state = 0, notAsked
}

// serve runs next with rc as the request's admission, then settles.
func (rc *rateCall) serve(next http.Handler) {
	r := rc.r
	ctx, ci := oaicompat.NewCallInfoContext(r.Context())
	if ctx != r.Context() {
		r = r.WithContext(ctx)
		rc.r = r
	}
	rc.ci, rc.prev, rc.after = ci, ci.Admit, detached{ctx}
	ci.Admit = rc.admit
	defer func() {
		ci.Admit = rc.prev
		rc.settle()
	}()
	next.ServeHTTP(rc.w, r)
}

// release puts rc back in the pool, keeping nothing of the request.
func (rc *rateCall) release() {
	c := rc.c
	*rc = rateCall{c: c, admit: rc.admit}
	c.calls.Put(rc)
}

// admitTokens charges the request's estimated tokens before the backend
// runs, or refuses the request; a refused request is not counted as a
// request either.
func (rc *rateCall) admitTokens(estimatedTokens int) error {
	if rc.prev != nil {
		if err := rc.prev(estimatedTokens); err != nil {
			return err
		}
	}
	c, lim := rc.c, rc.lim
	est := int64(estimatedTokens)
	if c.estimate != nil {
		est = c.estimate(rc.r, est)
	}
	if est > lim.Tokens {
		rc.refuse()
		return requestTooLarge(lim, est, rc.ci.Model)
	}
	tokens := rc.charges[:1]
	tokens[0] = Charge{Name: bucketTokens, Limit: lim.Tokens, Window: lim.Window, Cost: est}
	ok, buckets, err := c.store.Take(rc.r.Context(), rc.key, c.now(), tokens)
	if err != nil && c.failOpen {
		return nil // served unlimited: tokens are charged after, if the store is back
	}
	if err != nil {
		rc.refuse()
		return errLimiterDown.WithCause(err)
	}
	setLimitHeaders(rc.w.Header(), tokens, buckets)
	if !ok {
		rc.refuse()
		return refusal(lim, tokens, buckets, rc.ci.Model)
	}
	rc.state, rc.charged = admitted, est
	return nil
}

// refuse gives back the request charged before the handler ran.
func (rc *rateCall) refuse() {
	rc.state = refused
	if rc.lim.Requests <= 0 {
		return
	}
	back := Charge{Name: bucketRequests, Limit: rc.lim.Requests, Window: rc.lim.Window, Cost: -1}
	if b, err := rc.c.store.Adjust(&rc.after, rc.key, rc.c.now(), back); err == nil {
		rc.charges[1] = back
		setLimitHeaders(rc.w.Header(), rc.charges[1:], []Bucket{b})
	}
}

// settle corrects the tokens charged to the usage the request's CallInfo
// records: reported by the backend, or estimated from what the client was
// sent when the stream ended early. An admitted request that failed without
// output gives its estimate back; one that reported no usage keeps it.
func (rc *rateCall) settle() {
	u := rc.ci.Usage
	used := int64(u.TotalTokens)
	if used == 0 {
		used = int64(u.PromptTokens + u.CompletionTokens)
	}
	var delta int64
	switch rc.state {
	case refused:
		return
	case admitted:
		if used == 0 && rc.ci.Err == nil {
			return // no usage reported: the estimate stands
		}
		delta = used - rc.charged
	default: // a handler that does not admit: charge what it used
		delta = used
	}
	if delta == 0 {
		return
	}
	tokens := Charge{Name: bucketTokens, Limit: rc.lim.Tokens, Window: rc.lim.Window, Cost: delta}
	_, _ = rc.c.store.Adjust(&rc.after, rc.key, rc.c.now(), tokens)
}
