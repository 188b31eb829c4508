package oaicompat

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	gojson "github.com/goccy/go-json"
)

// serveChat is POST /v1/chat/completions: decode, validate, run the backend
// into the collector (stream:false) or the chunk streamer (stream:true).
func (h *Handler) serveChat(w http.ResponseWriter, r *http.Request) {
	var req ChatRequest
	if err := h.decode(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	ci := CallInfoFromContext(r.Context())
	if ci != nil {
		ci.Endpoint, ci.Model, ci.Stream = "chat.completions", req.Model, req.Stream
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	id, created := h.cfg.ids("chatcmpl-"), h.cfg.now().Unix()

	g := h.newGuard(ctx, &req, req.Stream)
	if !req.Stream {
		col := newChatCollector(req.Choices())
		if err := g.result(h.runChat(ctx, &req, g.wrap(col))); err != nil {
			h.fail(w, r, err)
			return
		}
		out := col.completion(id, created, req.Model, req.WantsLogprobs())
		if ci != nil {
			ci.Usage, ci.FinishReasons, ci.FirstOutput = *out.Usage, finishReasons(out), h.cfg.now()
		}
		writeJSON(w, http.StatusOK, out)
		return
	}

	es := newEventStream(w, cancel, h.cfg.keepAlive)
	cs := newChatStream(es, id, created, req.Model, req.Choices(), req.IncludeUsage())
	var obs *streamObserver
	if ci != nil {
		obs = &streamObserver{ci: ci, now: h.cfg.now, reasons: make([]string, req.Choices())}
	}
	err := g.result(h.runChat(ctx, &req, g.wrap(observe(cs, obs))))
	if err == nil {
		err = cs.end()
	}
	es.close()
	if obs != nil {
		ci.Usage, ci.FinishReasons = cs.total.usage(), obs.reasons
	}
	h.endStream(w, r, es, err)
}

// endStream reports a stream's error: as an ordinary JSON error when no
// event went out yet, else in-band as data: {"error":...} then [DONE]. A
// client that went away gets nothing.
func (h *Handler) endStream(w http.ResponseWriter, r *http.Request, es *eventStream, err error) {
	if err == nil {
		return
	}
	if e := h.streamError(w, r, es, err); e != nil {
		_ = es.write(append(errorFrame(e), doneFrame...))
	}
}

// streamError decides how a streaming dialect answers err: before any event
// it is an ordinary JSON error, answered here; a client that is gone
// (request context canceled, or a failed write) gets nothing; both return
// nil. Otherwise, a request past its deadline included, it returns the
// *Error to send in-band (a panic is logged and the error noted in the
// CallInfo).
func (h *Handler) streamError(w http.ResponseWriter, r *http.Request, es *eventStream, err error) *Error {
	if !es.Started() {
		h.fail(w, r, err)
		return nil
	}
	if errors.Is(r.Context().Err(), context.Canceled) || es.err != nil {
		return nil // the client is gone; a deadline (middleware.Timeout) is reported in-band
	}
	var p errPanic
	if errors.As(err, &p) {
		h.logPanic(r, p.v, p.stack)
	}
	e := AsError(err)
	noteError(r.Context(), e)
	return e
}

// runChat calls the backend once, or once per choice when n>1 and the
// backend is not a MultiChoice, and finishes the choices it left open.
func (h *Handler) runChat(ctx context.Context, req *ChatRequest, s sink) error {
	w := newChatWriter(s, req, h.cfg.ids)
	defer w.close()
	n := req.Choices()
	mc, isMulti := h.backend.(MultiChoice)
	switch {
	case n == 1:
		if err := call(func() error { return h.backend.Chat(ctx, req, w) }); err != nil {
			return err
		}
	case isMulti:
		if err := call(func() error { return mc.ChatChoices(ctx, req, w) }); err != nil {
			return err
		}
	default:
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		var (
			wg       sync.WaitGroup
			once     sync.Once
			firstErr error
		)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(cw *ChatWriter) {
				defer wg.Done()
				err := call(func() error { return h.backend.Chat(ctx, req, cw) })
				if err == nil {
					err = cw.finishIfOpen()
				}
				if err != nil {
					once.Do(func() { firstErr = err; cancel() })
				}
			}(w.Choice(i))
		}
		wg.Wait()
		if firstErr != nil {
			return firstErr
		}
	}
	return w.finishOpen()
}

// streamObserver records, for a CallInfo, when output began and how each
// choice finished, without touching the stream.
type streamObserver struct {
	ci      *CallInfo
	now     func() time.Time
	mu      sync.Mutex
	reasons []string
}

type observedSink struct {
	sink
	o *streamObserver
}

func observe(s sink, o *streamObserver) sink {
	if o == nil {
		return s
	}
	return observedSink{s, o}
}

func (s observedSink) delta(choice int, d Delta) error {
	s.o.mu.Lock()
	if s.o.ci.FirstOutput.IsZero() {
		s.o.ci.FirstOutput = s.o.now()
	}
	if d.FinishReason != "" {
		s.o.reasons[choice] = d.FinishReason
	}
	s.o.mu.Unlock()
	return s.sink.delta(choice, d)
}

func finishReasons(c *ChatCompletion) []string {
	rs := make([]string, len(c.Choices))
	for i, ch := range c.Choices {
		rs[i] = ch.FinishReason
	}
	return rs
}

// writeJSON writes v as a JSON response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	// Not MarshalNoEscape: it keeps pointers the runtime may move, and
	// crashed under load.
	b, err := gojson.Marshal(v)
	if err != nil {
		WriteError(w, ServerError("could not encode the response"))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
