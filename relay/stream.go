package relay

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/oaicompat/oaicompat"
)

// stream relays an upstream chat stream event by event. Until the first
// delta is written (the commit point: empty start-up events such as the
// role-only chunk do not commit) a failure is an ordinary *failure that the
// call may retry elsewhere; after it the stream stays on this upstream, and
// a failure ends it with an in-band error (the handler writes it as
// data: {"error":...} and then [DONE]), never a silent clean end.
//
// The handler's flushes are coalesced (under the [Headers] middleware):
// the events one upstream read brought are flushed together, before the
// next read, so an event is never held back waiting for the upstream.
func (a *attempt) stream(resp *http.Response, t *translator) error {
	body := &idleReader{r: resp.Body, gate: flushGate(a.c.ctx)}
	defer body.gate.releaseFlushes()
	sr := newSSEReader(body, a.c.r.opts.maxEventBytes)
	defer sr.release()
	t.onCommit = a.commit
	first := true
	for {
		data, err := sr.next()
		if err != nil {
			if err == io.EOF {
				err = t.end()
				if err == nil {
					return nil
				}
			}
			return a.streamFailure(t, err)
		}
		if first {
			first = false
			a.c.upstream += a.c.r.now().Sub(a.sent)
			a.timer.Stop() // the first-token budget is met
			body.arm(a.cand.up.cfg.IdleTimeout, func() { a.cancel(errIdle) })
		}
		if err := t.event(data); err != nil {
			return a.streamFailure(t, err)
		}
		if t.done {
			// Read the end of the response so the connection is reused,
			// within a short wait, then finish.
			body.arm(min(a.cand.up.cfg.IdleTimeout, time.Second), func() { a.cancel(errIdle) })
			_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
			body.disarm()
			t.report()
			return nil
		}
	}
}

// streamFailure classifies what ended a stream: a failure before the
// commit point, a committed failure after it. Errors of the writer (the
// client left, the output guard refused the answer) are returned as they
// are: they are not the upstream's.
func (a *attempt) streamFailure(t *translator, err error) error {
	var se *sinkError
	if errors.As(err, &se) {
		t.report()
		return se.err
	}
	var f *failure
	var ib *inBand
	if errors.As(err, &ib) {
		f = &failure{class: classifyInBand(ib.err.Type, ib.err.Code), err: ib.err, cause: err}
	} else {
		f = a.transportFailure(classStream, err)
	}
	if !t.wrote {
		return f // an in-band client error (classFatal) is answered as is
	}
	t.report()
	return &committed{f: f, err: committedError(f, a.cand.up.cfg.IdleTimeout)}
}

// committedError is what the client reads in-band when a committed stream
// breaks: the upstream's own in-band error unchanged, else the relay's.
func committedError(f *failure, idle time.Duration) *oaicompat.Error {
	if f.err != nil {
		return f.err
	}
	e := &oaicompat.Error{Status: http.StatusBadGateway, Type: oaicompat.TypeServerError, Code: "upstream_stream_broken",
		Message: "The upstream server's stream ended before the answer was complete."}
	switch {
	case f.class == classTimeout:
		e.Status, e.Code = http.StatusGatewayTimeout, "upstream_timeout"
		e.Message = fmt.Sprintf("The upstream server's stream went silent for longer than %s.", idle)
	case errors.Is(f.cause, errMalformed):
		e.Code, e.Message = "upstream_malformed_chunk", "The upstream server sent a malformed stream event."
	case errors.Is(f.cause, errEventTooLarge):
		e.Code, e.Message = "upstream_event_too_large", "The upstream server sent a stream event larger than the relay accepts."
	}
	return e
}

// idleReader bounds the silences of a stream: while armed, each Read that
// waits longer than the idle timeout fires the timer (which cancels the
// attempt). Time spent writing to the client is not counted: the timer
// runs only inside Read.
//
// It also opens the flush gate (nil: none) before each Read, so what the
// previous read brought reaches the client before the relay waits again,
// and closes it after.
type idleReader struct {
	r    io.Reader
	t    *time.Timer
	idle time.Duration
	gate *headerWriter
}

func (b *idleReader) arm(d time.Duration, fire func()) {
	b.disarm()
	b.idle = d
	b.t = time.AfterFunc(time.Hour, fire)
	b.t.Stop()
}

func (b *idleReader) disarm() {
	if b.t != nil {
		b.t.Stop()
		b.t = nil
	}
}

func (b *idleReader) Read(p []byte) (int, error) {
	if b.gate != nil {
		b.gate.releaseFlushes()
		defer b.gate.holdFlushes()
	}
	if b.t == nil {
		return b.r.Read(p)
	}
	b.t.Reset(b.idle)
	n, err := b.r.Read(p)
	b.t.Stop()
	return n, err
}

// complete relays a non-streamed chat completion: the whole body is read
// and checked before the first delta is written, so every upstream failure
// (a cut body, malformed JSON, a 200 carrying an error) can still be
// retried elsewhere.
func (a *attempt) complete(resp *http.Response, t *translator) error {
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer putBodyBuffer(buf)
	b, err := readAllInto(buf, resp.Body, a.c.r.opts.maxEventBytes)
	a.c.upstream += a.c.r.now().Sub(a.sent)
	if err != nil {
		return a.transportFailure(classStream, err)
	}
	var comp chunk
	if err := comp.parse(b, nil); err != nil {
		return &failure{class: classStream, status: resp.StatusCode, cause: fmt.Errorf("%w: %v", errMalformed, err)}
	}
	if len(comp.Error) > 0 {
		e := inBandError(comp.Error)
		return &failure{class: classifyInBand(e.Type, e.Code), status: resp.StatusCode, err: e}
	}
	for _, ch := range comp.Choices {
		if ch.Index < 0 || ch.Index >= len(t.choices) {
			return &failure{class: classStream, cause: fmt.Errorf("%w: choice index %d of %d", errMalformed, ch.Index, len(t.choices))}
		}
		for i := range ch.Delta.ToolCalls {
			if ch.Delta.ToolCalls[i].Function.Name == "" {
				return &failure{class: classStream, cause: fmt.Errorf("%w: tool call without a name", errMalformed)}
			}
		}
	}
	t.onCommit, t.usage = a.commit, comp.Usage
	for i := range comp.Choices {
		ch := &comp.Choices[i]
		for j := range ch.Delta.ToolCalls {
			ch.Delta.ToolCalls[j].Index = j // a message's calls carry no index
		}
		if err := t.write(ch); err != nil {
			var se *sinkError
			if errors.As(err, &se) {
				return se.err
			}
			return err
		}
	}
	t.report()
	return nil
}

// errBodyTooLarge is a non-streamed upstream body over the limit.
var errBodyTooLarge = errors.New("relay: upstream response larger than the limit")

// readAll reads r up to limit bytes.
func readAll(r io.Reader, limit int) ([]byte, error) {
	return readAllInto(&bytes.Buffer{}, r, limit)
}

// readAllInto reads r up to limit bytes into buf and returns buf's bytes.
func readAllInto(buf *bytes.Buffer, r io.Reader, limit int) ([]byte, error) {
	_, err := buf.ReadFrom(io.LimitReader(r, int64(limit)+1))
	if err == nil && buf.Len() > limit {
		err = fmt.Errorf("%w (%d bytes)", errBodyTooLarge, limit)
	}
	return buf.Bytes(), err
}

// bodyBuffers hold non-streamed chat answers while they are parsed (what
// the client gets is copied out of them), reused across requests.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putBodyBuffer returns buf to the pool unless an unusually large answer
// grew it, which the garbage collector may then take back.
func putBodyBuffer(buf *bytes.Buffer) {
	if buf.Cap() <= smallBuffer {
		buf.Reset()
		bodyBuffers.Put(buf)
	}
}
