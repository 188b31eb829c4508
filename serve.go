package oaicompat

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
)

// This file is the one path every POST endpoint takes:
//
//	read the body (bounded) → decode → validate (dialect.prepare)
//	→ resolve the model → admit (CallInfo.Admit) → answer (dialect.answer)
//	→ run the backend → end the answer, or report the error
//	→ fill in the CallInfo
//
// A dialect (chat completions, legacy completions, the Responses API,
// embeddings, images) supplies only what differs: its request type and
// validation, how it answers (a translation onto Chat with a sink of its
// own, or a backend's native implementation), and its error envelope. Body
// limits, model resolution, admission, panics, the [CallInfo], logging and
// the end of a stream are written once, here.

// dialect is one API format's part of a request. A new value serves each
// request and holds the decoded request.
type dialect interface {
	// endpoint names the operation in [CallInfo].Endpoint.
	endpoint() string
	// target is what the body decodes into: a pointer to the request struct.
	target() any
	// prepare completes and validates the decoded request: raw is the body,
	// extra the fields its type does not model, model the model named by
	// the URL (Azure deployments; "" when the body names it).
	prepare(raw []byte, extra map[string]json.RawMessage, model string) (requestInfo, error)
	// answer prepares the answer to the validated request.
	answer(x *exchange) (answer, error)
	// writeError answers e before any output, in the dialect's envelope.
	writeError(w http.ResponseWriter, e *Error)
}

// requestInfo is what the path needs to know of a validated request.
type requestInfo struct {
	model     string
	stream    bool
	maxOutput int // the most tokens it may generate, all choices together; 0: no bound
}

// typeWording is implemented by dialects whose API words the error for a
// body field of the wrong type its own way; the others use OpenAI's words.
type typeWording interface {
	typeError(param, want, got string) *Error
}

// capability is implemented by dialects that need an optional [Backend]
// capability; without it the endpoint answers [Unsupported] before reading
// the body.
type capability interface {
	supportedBy(b Backend) bool
}

// answer is a dialect's answer to one request, once validated.
type answer interface {
	// run calls the backend; a panic in it is recovered by the path.
	run(ctx context.Context) error
	// end completes a successful answer: the whole object, or the last
	// events of a stream.
	end() error
	// fail ends a stream that already began with the in-band error e.
	fail(e *Error) error
}

// exchange is one request on its way through serve: what a dialect's
// answer may use.
type exchange struct {
	h    *Handler
	w    http.ResponseWriter
	r    *http.Request
	ci   *CallInfo    // nil when no middleware asked for one
	es   *eventStream // nil unless the answer streams; then &esv
	esv  eventStream
	t    tally
	info requestInfo
	ans  chatAnswer // a translated dialect's answer
}

// serve returns the handler of a dialect's endpoint.
func (h *Handler) serve(newDialect func() dialect) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		x := &exchange{h: h, w: w, r: r, ci: CallInfoFromContext(r.Context())}
		x.serve(newDialect())
	}
}

func (x *exchange) serve(d dialect) {
	if x.ci != nil {
		x.ci.Endpoint = d.endpoint()
	}
	if err := x.accept(d); err != nil {
		x.finish(d, nil, err)
		return
	}
	// The backend's context is the request's: net/http cancels it when a
	// write to the connection fails, as when the client goes away, so a
	// stream needs no context of its own (it cost 0.6 KiB per held stream).
	a, err := x.begin(d)
	defer x.es.close()
	if err == nil {
		err = x.run(x.r.Context(), a)
	}
	x.finish(d, a, err)
}

// The steps of serve are functions of their own so that the frames a
// request keeps on its goroutine's stack while the backend runs stay small:
// under 4 KiB in all, the runtime shrinks a held stream's stack back to
// 8 KiB after decoding grew it (bench/run.sh, held streams).

// accept checks the backend can answer d, then decodes the body.
func (x *exchange) accept(d dialect) error {
	if c, ok := d.(capability); ok && !c.supportedBy(x.h.backend) {
		return Unsupported(x.r.Method, x.r.URL.Path)
	}
	return x.decode(d)
}

// begin opens the event stream of a streamed answer and asks d for its
// answer.
func (x *exchange) begin(d dialect) (answer, error) {
	h := x.h
	if x.info.stream {
		x.es = &x.esv
		x.es.init(x.w, h.cfg.keepAlive, h.cfg.writeTimeout)
	}
	x.t.now, x.t.stream = h.cfg.now, x.info.stream
	return d.answer(x)
}

// run runs the backend through a and ends the answer.
func (x *exchange) run(ctx context.Context, a answer) error {
	x.es.startKeepAlive()
	err := call(func() error { return a.run(ctx) })
	if err == nil {
		if err = a.end(); err == nil && x.es == nil {
			x.t.output()
		}
	}
	return err
}

// decode reads, decodes and validates the body, resolves the model and
// admits the request.
func (x *exchange) decode(d dialect) error {
	h, r := x.h, x.r
	body, err := readBody(x.w, r, h.cfg.maxBytes, h.cfg.readTimeout)
	if err != nil {
		return requestError(err)
	}
	var typeErr typeErrorFunc
	if w, ok := d.(typeWording); ok {
		typeErr = w.typeError
	}
	extra, err := decodeRequest(body, d.target(), typeErr)
	if err != nil {
		return err
	}
	override, _ := r.Context().Value(modelOverrideKey{}).(string)
	info, err := d.prepare(body, extra, override)
	if err != nil {
		return err
	}
	x.info = info
	x.t.promptEstimate = (len(body) + 3) / 4
	if ci := x.ci; ci != nil {
		ci.Model, ci.Stream = info.model, info.stream
	}
	if err := h.checkModel(r.Context(), info.model); err != nil {
		return err
	}
	if ci := x.ci; ci != nil && ci.Admit != nil {
		return ci.Admit(x.t.promptEstimate + info.maxOutput)
	}
	return nil
}

// finish records the request in its [CallInfo] and answers err, if any:
// before any output as an ordinary error in the dialect's envelope, after
// it in-band through a.fail, and not at all to a client that is gone. The
// CallInfo's usage counts what the client was sent: an answer that failed
// before its output began used nothing.
func (x *exchange) finish(d dialect, a answer, err error) {
	began := x.es != nil && x.es.Started()
	if err != nil {
		// A body that timed out cancels the request's context too, but the
		// client may be there to read the 408.
		gone := x.gone() && AsError(err).Status != http.StatusRequestTimeout
		e := x.h.report(x.r, err, gone)
		switch {
		case gone:
		case began:
			_ = a.fail(e)
		default:
			x.es.close() // no keep-alive may commit the status now
			d.writeError(x.w, e)
		}
		if x.ci != nil {
			x.ci.Err = e
		}
	}
	if ci := x.ci; ci != nil {
		if err == nil || began {
			ci.Usage, ci.UsageEstimated = x.t.total()
		}
		ci.FinishReasons = x.t.reasons
		ci.FirstOutput = x.t.first
	}
}

// gone reports whether the client went away: its request was canceled, or
// a write to it failed. A deadline (middleware.Timeout) is not "gone": the
// client is told.
func (x *exchange) gone() bool {
	return errors.Is(x.r.Context().Err(), context.Canceled) || x.es != nil && x.es.failed()
}

// report turns err into the *[Error] a client sees and logs what operators
// must see: a backend panic with its stack, and the cause behind a generic
// 500 (unless the client is gone: then the cause is the failed write).
func (h *Handler) report(r *http.Request, err error, gone bool) *Error {
	var p errPanic
	isPanic := errors.As(err, &p)
	if isPanic {
		h.logPanic(r, p.v, p.stack)
	}
	e := AsError(err)
	if cause := e.Unwrap(); cause != nil && !isPanic && !gone {
		h.cfg.logger.Error("oaicompat: backend error", "method", r.Method, "path", r.URL.Path,
			"status", e.Status, "error", cause.Error())
	}
	return e
}

// wireSink is a translated dialect's sink: it turns the deltas of the chat
// calls into the dialect's wire shape. Choices are numbered across the
// calls of the answer. It must be safe for concurrent use by the writers of
// different choices.
type wireSink interface {
	delta(choice int, d Delta) error
	// end completes the answer; u is the usage the backend reported.
	end(u Usage) error
	// fail ends a stream that began with the in-band error e.
	fail(e *Error, u Usage) error
}

// chatAnswer is the answer of a dialect translated onto Chat: its chat
// calls run in turn, each behind the output guard, into the dialect's sink.
type chatAnswer struct {
	x          *exchange
	calls      []*ChatRequest
	sink       wireSink
	callPrefix string // of the tool-call ids made for the backend: "call_" unless the dialect says

	one      [1]*ChatRequest // calls, when there is one
	tallied1 tallied         // the first call's sink
	guard1   guard           // the first call's guard
}

// oneOrMake returns one[:] when n is 1 (the common case costs no
// allocation of its own), else a new slice of n.
func oneOrMake[T any](one *[1]T, n int) []T {
	if n == 1 {
		return one[:]
	}
	return make([]T, n)
}

// translated returns the answer that runs calls into s.
func (x *exchange) translated(s wireSink, calls ...*ChatRequest) *chatAnswer {
	n := 0
	for _, c := range calls {
		n += c.Choices()
	}
	x.t.grow(n)
	a := &x.ans
	*a = chatAnswer{x: x, sink: s, callPrefix: "call_"}
	// calls is copied, not kept: the callers' lists then stay on their
	// stacks.
	a.calls = oneOrMake(&a.one, len(calls))
	copy(a.calls, calls)
	return a
}

// run runs the calls in order. A call whose token limit is 0 (a legacy
// max_tokens:0) finishes its choices with "length" without the backend.
func (a *chatAnswer) run(ctx context.Context) error {
	x, base := a.x, 0
	for i, c := range a.calls {
		ts, gs := &a.tallied1, &a.guard1
		if i > 0 {
			ts, gs = new(tallied), new(guard)
		}
		*ts = tallied{t: &x.t, next: a.sink, base: base}
		var err error
		if limit, ok := c.TokenLimit(); ok && limit == 0 {
			err = finishAll(ts, c.Choices())
		} else {
			g := x.h.newGuard(ctx, gs, c, x.info.stream)
			err = g.result(x.h.runChat(ctx, c, g.wrap(ts), a.callPrefix))
		}
		x.t.nextCall()
		if err != nil {
			return err
		}
		base += c.Choices()
	}
	return nil
}

// finishAll finishes n choices with "length", without the backend.
func finishAll(s sink, n int) error {
	for j := range n {
		if err := s.delta(j, Delta{FinishReason: FinishLength}); err != nil {
			return err
		}
	}
	return nil
}

func (a *chatAnswer) end() error          { return a.sink.end(a.x.t.reportedUsage()) }
func (a *chatAnswer) fail(e *Error) error { return a.sink.fail(e, a.x.t.reportedUsage()) }
