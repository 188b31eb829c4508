package relay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/oaicompat/oaicompat"
)

// call is one client request through the relay: its candidates, the
// attempts made, and the time spent waiting (backoff, Retry-After,
// cooldowns) and on upstreams, from which the relay's own overhead is
// derived.
type call struct {
	r     *Relay
	ctx   context.Context
	model string
	start time.Time

	attempts int
	waited   time.Duration // sleeping before retries
	upstream time.Duration // waiting on upstreams
	dead     map[string]bool
	last     *failure // the last failure with an upstream answer, else the last failure
	lastUp   string   // the upstream of the last attempt
	cooling  time.Time
	skipped  skipReasons
}

// skipReasons records why candidates were skipped without an attempt:
// the upstream cooling down, every key refused (dead) or cooling down for
// another reason, the upstream at its concurrency limit.
type skipReasons struct{ cooling, deadKeys, keys, busy int }

func (r *Relay) newCall(ctx context.Context, model string) *call {
	return &call{r: r, ctx: ctx, model: model, start: r.now()}
}

// attempt is one request to one upstream.
type attempt struct {
	c        *call
	cand     candidate
	key      *upKey
	upProbe  bool
	keyProbe bool
	n        int // 1-based number of the attempt in the call
	ctx      context.Context
	cancel   context.CancelCauseFunc
	timer    *time.Timer
	sent     time.Time
	status   int
	resp     *http.Response
}

// failure is a failed attempt, classified.
type failure struct {
	class   class
	status  int              // the upstream's HTTP status, 0 when there was no answer
	err     *oaicompat.Error // the upstream's error as the client would see it; nil: none
	hint    time.Duration    // Retry-After
	hasHint bool
	cause   error
}

// Error describes the failure for logs: class, status, and the upstream's
// error type and code, never its message (which may echo a key).
func (f *failure) Error() string {
	if f.err != nil {
		return fmt.Sprintf("relay: upstream %s failure: status %d, type %q, code %q", f.class, f.status, f.err.Type, f.err.Code)
	}
	return fmt.Sprintf("relay: upstream %s failure: %v", f.class, f.cause)
}

func (f *failure) Unwrap() error { return f.cause }

// committed is a failure after the first delta was written: the answer
// cannot move to another upstream, and err goes to the client in-band.
type committed struct {
	f   *failure
	err *oaicompat.Error
}

func (e *committed) Error() string { return e.f.Error() }

// Timeout causes, told apart from a client that left.
var (
	errFirstToken     = errors.New("relay: no first event from the upstream within FirstTokenTimeout")
	errIdle           = errors.New("relay: upstream stream silent for longer than IdleTimeout")
	errRequestTimeout = errors.New("relay: upstream answer not complete within RequestTimeout")
)

// run makes attempts until one succeeds, an answer must be returned as is,
// or the candidates, attempts and wait budget are spent. do performs one
// attempt; it returns nil, a *failure, a *committed, or another error
// (returned as is).
func (c *call) run(do func(a *attempt) error) error {
	cands := c.r.candidates(c.model)
	if len(cands) == 0 {
		return oaicompat.ModelNotFound(c.model)
	}
	for round := 0; round < 2; round++ {
		tries := make([]int, len(cands))
		for i := 0; i < len(cands) && c.attempts < c.r.opts.maxAttempts; {
			a, err := c.admit(cands[i])
			if err != nil {
				return err
			}
			if a == nil {
				i++
				continue
			}
			err = c.try(a, do)
			var f *failure
			switch {
			case err == nil:
				return nil
			case !errors.As(err, &f):
				return c.final(err)
			}
			switch f.class {
			case classFatal:
				return c.answer(f)
			case classAuth:
				if a.key != nil {
					c.dead[a.key.target] = true
				}
				if a.key == nil || !c.hasLiveKey(a.cand.up) {
					i++
				}
				continue
			}
			tries[i]++
			if tries[i] > c.r.opts.retries {
				i++
				continue
			}
			wait := c.backoff(tries[i] - 1)
			if f.class == classRateLimit && f.hasHint && !c.hasOtherKey(a) {
				wait = f.hint
			}
			if !c.canWait(wait) {
				i++
				continue
			}
			if err := c.sleep(wait); err != nil {
				return err
			}
		}
		// Every candidate cooling down and nothing tried: wait for the
		// earliest cooldown when the budget allows, once.
		if c.attempts > 0 || c.cooling.IsZero() || c.attempts >= c.r.opts.maxAttempts {
			break
		}
		wait := c.cooling.Sub(c.r.now())
		if !c.canWait(wait) {
			break
		}
		if err := c.sleep(wait); err != nil {
			return err
		}
		c.cooling, c.skipped = time.Time{}, skipReasons{}
	}
	return c.exhausted()
}

// backoff is the wait before retry n of one upstream.
func (c *call) backoff(n int) time.Duration {
	o := &c.r.opts
	return backoff(o.backoffBase, o.backoffMax, n, o.float())
}

// canWait reports whether d fits in what is left of the wait budget.
func (c *call) canWait(d time.Duration) bool { return c.waited+d <= c.r.opts.retryBudget }

func (c *call) sleep(d time.Duration) error {
	c.waited += d
	return c.r.opts.sleep(c.ctx, d)
}

// admit readies an attempt on cand: the upstream and one of its keys must
// not be cooling down, and a concurrency slot must be free (after a
// bounded wait). It returns nil when cand is to be skipped, and an error
// only when the client left.
func (c *call) admit(cand candidate) (*attempt, error) {
	h, up, now := c.r.health, cand.up, c.r.now()
	adm, err := h.Acquire(c.ctx, up.name, now)
	if err != nil {
		return nil, err
	}
	if !adm.OK {
		c.skip(&c.skipped.cooling, adm.Until)
		return nil, nil
	}
	a := &attempt{c: c, cand: cand, upProbe: adm.Probe}
	if len(up.keys) > 0 {
		if err := c.pickKey(a, now); err != nil || a.key == nil {
			c.abandon(a)
			return nil, err
		}
	}
	if err := up.lim.acquire(c.ctx); err != nil {
		c.abandon(a)
		if c.ctx.Err() != nil {
			return nil, c.ctx.Err()
		}
		c.skipped.busy++
		c.log(slog.LevelWarn, a, 0, classBusy, "", 0)
		return nil, nil
	}
	if c.dead == nil {
		c.dead = map[string]bool{}
	}
	c.attempts++
	a.n = c.attempts
	return a, nil
}

// pickKey takes a random live key of the attempt's upstream: not dead in
// this request, not cooling down.
func (c *call) pickKey(a *attempt, now time.Time) error {
	keys := a.cand.up.keys
	start := c.r.opts.intn(len(keys))
	dead := 0
	for j := range keys {
		k := &keys[(start+j)%len(keys)]
		if c.dead[k.target] {
			dead++
			continue
		}
		adm, err := c.r.health.Acquire(c.ctx, k.target, now)
		if err != nil {
			return err
		}
		if adm.OK {
			a.key, a.keyProbe = k, adm.Probe
			return nil
		}
		if adm.Cause == Dead {
			dead++
		}
		c.skip(nil, adm.Until)
	}
	if dead == len(keys) {
		c.skipped.deadKeys++
	} else {
		c.skipped.keys++
	}
	return nil
}

func (c *call) skip(counter *int, until time.Time) {
	if counter != nil {
		*counter++
	}
	if !until.IsZero() && (c.cooling.IsZero() || until.Before(c.cooling)) {
		c.cooling = until
	}
}

// abandon releases the probes an attempt that was never made holds.
func (c *call) abandon(a *attempt) {
	now := c.r.now()
	if a.upProbe {
		_ = c.r.health.Report(c.ctx, a.cand.up.name, now, Outcome{Kind: Abandoned, Probe: true})
	}
	if a.keyProbe {
		_ = c.r.health.Report(c.ctx, a.key.target, now, Outcome{Kind: Abandoned, Probe: true})
	}
}

func (c *call) hasLiveKey(u *upstream) bool {
	for _, k := range u.keys {
		if !c.dead[k.target] {
			return true
		}
	}
	return false
}

// hasOtherKey reports whether a's upstream has a live key besides a's.
func (c *call) hasOtherKey(a *attempt) bool {
	for i := range a.cand.up.keys {
		k := &a.cand.up.keys[i]
		if k != a.key && !c.dead[k.target] {
			return true
		}
	}
	return false
}

// try performs attempt a with do, then releases its slot and reports its
// outcome to the health store and the log.
func (c *call) try(a *attempt, do func(a *attempt) error) error {
	c.lastUp = a.cand.up.name
	err := do(a)
	a.close()
	a.cand.up.lim.release()
	var f *failure
	var cm *committed
	switch {
	case errors.As(err, &cm):
		f = cm.f
	case errors.As(err, &f):
		if f.err != nil || c.last == nil || c.last.err == nil {
			c.last = f
		}
	}
	gone := err != nil && c.ctx.Err() != nil // the client left: no verdict on the upstream
	c.report(a, f, gone)
	cls, status, typ := class(0), a.status, ""
	if f != nil {
		cls, status = f.class, f.status
		if f.err != nil {
			typ = f.err.Type
		}
	}
	level := slog.LevelDebug
	switch {
	case gone:
		cls = classGone
	case err != nil:
		level = slog.LevelWarn
	}
	c.log(level, a, status, cls, typ, c.r.now().Sub(a.sent))
	if gone {
		return c.ctx.Err()
	}
	return err
}

// report tells the health store how attempt a went: f is nil on success.
func (c *call) report(a *attempt, f *failure, gone bool) {
	up, now := a.cand.up, c.r.now()
	upOut, keyOut := Outcome{Kind: Success, Probe: a.upProbe}, Outcome{Kind: Success, Probe: a.keyProbe}
	switch {
	case gone:
		upOut.Kind, keyOut.Kind = Abandoned, Abandoned
	case f == nil, f.class == classFatal:
	case f.class == classRateLimit:
		hint := f.hint
		if !f.hasHint {
			hint = c.backoff(0)
		}
		keyOut = Outcome{Kind: RateLimited, RetryAfter: hint, Probe: a.keyProbe}
	case f.class == classAuth:
		keyOut.Kind = Dead
	default:
		upOut.Kind, keyOut.Kind = Failure, Abandoned
	}
	if a.key == nil { // a keyless upstream is its own key
		if keyOut.Kind == RateLimited || keyOut.Kind == Dead {
			keyOut.Probe = a.upProbe
			upOut = keyOut
		}
	} else if a.keyProbe || keyOut.Kind == RateLimited || keyOut.Kind == Dead {
		_ = c.r.health.Report(c.ctx, a.key.target, now, keyOut)
	}
	_ = c.r.health.Report(c.ctx, up.name, now, upOut)
}

// log writes one line per attempt: upstream, attempt, status, class and
// the upstream's error type, never bodies or keys.
func (c *call) log(level slog.Level, a *attempt, status int, cls class, errType string, d time.Duration) {
	l := c.r.opts.logger
	if !l.Enabled(c.ctx, level) {
		return
	}
	l.LogAttrs(c.ctx, level, "relay attempt",
		slog.String("upstream", a.cand.up.name), slog.String("model", a.cand.model),
		slog.Int("attempt", c.attempts), slog.Int("status", status), slog.String("class", cls.String()),
		slog.String("error_type", errType), slog.Duration("duration", d))
}

// send sends the attempt's request and returns a 2xx response. Any other
// answer, or none, is returned as a classified *failure. A stream's
// first-token budget (or a non-stream's RequestTimeout) starts here.
func (a *attempt) send(path string, body []byte, stream bool) (*http.Response, error) {
	return a.sendMethod(http.MethodPost, path, body, stream)
}

func (a *attempt) sendMethod(method, path string, body []byte, stream bool) (*http.Response, error) {
	up := a.cand.up
	a.ctx, a.cancel = context.WithCancelCause(a.c.ctx)
	budget, cause := up.cfg.RequestTimeout, errRequestTimeout
	if stream {
		budget, cause = up.cfg.FirstTokenTimeout, errFirstToken
	}
	a.timer = time.AfterFunc(budget, func() { a.cancel(cause) })
	req, err := up.newRequest(a.ctx, method, path, a.cand.model, body, a.key, stream)
	if err != nil {
		return nil, err
	}
	a.sent = a.c.r.now()
	resp, err := up.client.Do(req)
	if err != nil {
		a.c.upstream += a.c.r.now().Sub(a.sent)
		return nil, a.transportFailure(classConnect, err)
	}
	a.status, a.resp = resp.StatusCode, resp
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, errorBodyLimit))
	a.c.upstream += a.c.r.now().Sub(a.sent)
	e := upstreamError(resp.StatusCode, b)
	f := &failure{class: classifyStatus(resp.StatusCode, e.Type, e.Code), status: resp.StatusCode, err: e}
	f.hint, f.hasHint = retryAfter(resp.Header, a.c.r.now())
	return nil, f
}

// transportFailure classifies an error reading from the upstream: one of
// the relay's timeouts, or cls.
func (a *attempt) transportFailure(cls class, err error) *failure {
	switch cause := context.Cause(a.ctx); {
	case a.c.ctx.Err() != nil:
		return &failure{class: cls, cause: a.c.ctx.Err()}
	case errors.Is(cause, errFirstToken), errors.Is(cause, errIdle), errors.Is(cause, errRequestTimeout):
		return &failure{class: classTimeout, cause: cause}
	}
	return &failure{class: cls, cause: err}
}

// close releases what the attempt holds.
func (a *attempt) close() {
	if a.timer != nil {
		a.timer.Stop()
	}
	if a.resp != nil {
		_ = a.resp.Body.Close()
	}
	if a.cancel != nil {
		a.cancel(context.Canceled)
	}
}

// commit is called before the first delta is written: from then on the
// answer belongs to this upstream. It sets the observability headers.
func (a *attempt) commit() {
	c := a.c
	set := c.r.opts.setHeader
	set(c.ctx, HeaderUpstream, a.cand.up.name)
	set(c.ctx, HeaderAttempts, strconv.Itoa(c.attempts))
	set(c.ctx, HeaderOverhead, c.overhead())
}

// overhead is the relay's own time so far in milliseconds: the time since
// the call began minus the time spent waiting on upstreams and sleeping
// before retries.
func (c *call) overhead() string {
	d := max(c.r.now().Sub(c.start)-c.upstream-c.waited, 0)
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 3, 64)
}

// errorHeaders returns the observability headers of an error answer (which
// carries its headers itself), naming the upstream of the last attempt.
func (c *call) errorHeaders() http.Header {
	h := http.Header{}
	h.Set(HeaderUpstream, c.lastUp)
	h.Set(HeaderAttempts, strconv.Itoa(c.attempts))
	h.Set(HeaderOverhead, c.overhead())
	return h
}

// answer returns an upstream's error to the client unchanged (status,
// type, code, param, message), with its Retry-After and the relay's
// headers; x-should-retry: false once the relay made an attempt or waited
// (its retries are spent, the SDK's must not multiply them). When it could
// try nothing (every candidate cooling down or busy) the header is left
// out: the client may retry after the Retry-After given.
func (c *call) answer(f *failure) error {
	e := *f.err
	e.Header = c.errorHeaders()
	if f.hasHint {
		secs := int64((f.hint + time.Second - 1) / time.Second)
		e.Header.Set("Retry-After", strconv.FormatInt(secs, 10))
		e.Header.Set("Retry-After-Ms", strconv.FormatInt(f.hint.Milliseconds(), 10))
	}
	if c.attempts > 0 || c.waited > 0 || f.class == classAuth {
		e.Header.Set("X-Should-Retry", "false")
	}
	return e.WithCause(f)
}

// final returns an error that ends the call at once: a committed failure's
// in-band error, or the client's own cancellation.
func (c *call) final(err error) error {
	var cm *committed
	if errors.As(err, &cm) {
		return cm.err.WithCause(cm.f)
	}
	return err
}

// exhausted answers when no attempt succeeded: the last upstream answer
// when there was one, else an error of the relay's own saying why.
func (c *call) exhausted() error {
	others := c.skipped.keys + c.skipped.cooling + c.skipped.busy
	refused := c.last != nil && c.last.class == classAuth && others == 0
	if f := c.last; f != nil && !refused {
		if f.err != nil {
			return c.answer(f)
		}
		e := &oaicompat.Error{Status: http.StatusBadGateway, Type: oaicompat.TypeServerError, Code: "upstream_unavailable",
			Message: "The upstream server could not be reached."}
		if f.class == classTimeout {
			e = &oaicompat.Error{Status: http.StatusGatewayTimeout, Type: oaicompat.TypeServerError, Code: "upstream_timeout",
				Message: "The upstream server did not answer in time."}
		}
		if f.class == classStream {
			e.Message = "The upstream server's stream broke before any output."
		}
		return c.answer(&failure{class: f.class, err: e, cause: f.cause})
	}
	var e *oaicompat.Error
	switch {
	case refused, c.skipped.deadKeys > 0 && others == 0:
		// Not the upstream's 401: the client's own key is not at fault.
		return c.answer(&failure{class: classAuth, err: &oaicompat.Error{Status: http.StatusBadGateway, Type: oaicompat.TypeServerError,
			Code: "upstream_credentials_exhausted", Message: "Every upstream API key was refused; the relay's own credentials need attention."}})
	case c.skipped.busy > 0:
		e = &oaicompat.Error{Status: http.StatusServiceUnavailable, Type: oaicompat.TypeServerError, Code: "upstream_busy",
			Message: "Every upstream for this model is at its concurrency limit. Please retry later."}
	default:
		e = &oaicompat.Error{Status: http.StatusServiceUnavailable, Type: oaicompat.TypeServerError, Code: "upstream_cooling_down",
			Message: "Every upstream for this model is cooling down after failures. Please retry later."}
	}
	f := &failure{class: classServer, err: e}
	if !c.cooling.IsZero() {
		f.hint, f.hasHint = max(c.cooling.Sub(c.r.now()), time.Millisecond), true
	}
	return c.answer(f)
}
