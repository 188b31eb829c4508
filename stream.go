package oaicompat

import (
	"errors"
	"net/http"
	"sync"
	"time"
)

// SSE framing, shared by every streaming sink (chat chunks, legacy
// completions, Responses events):
//
//   - headers (Content-Type: text/event-stream, Cache-Control: no-cache,
//     X-Accel-Buffering: no) are sent lazily with the first event, so an
//     error before any output is still an ordinary JSON error with its status;
//   - each event is one Write and one flush, through http.ResponseController
//     so that wrappers implementing Unwrap keep streaming; the first flush,
//     which writes the headers, runs on a shared flush worker while the
//     writer waits (flushFirst) once more than 64 streams are open, to keep
//     a held stream's stack at 8 KiB;
//   - each write has a deadline (WithWriteTimeout): a client that stops
//     reading makes it fail instead of pinning the backend;
//   - while the backend is silent for a keep-alive interval a keep-alive
//     frame is sent (this commits the headers): the comment ": ping" unless
//     the dialect set its own (Anthropic's "event: ping"); the pings come
//     from a runtime timer, not a goroutine per stream;
//   - the first failed write is sticky: every later write returns it. The
//     backend's context is the request's, which net/http cancels when a
//     write to the connection fails or the client goes away.

// eventStream writes server-sent events to one response.
type eventStream struct {
	w            http.ResponseWriter
	rc           http.ResponseController // a value: one allocation less per stream
	keepAlive    time.Duration
	writeTimeout time.Duration
	ping         []byte // the keep-alive frame; set it before startKeepAlive

	mu       sync.Mutex
	started  bool
	active   bool // an event was written since the last keep-alive tick
	closed   bool
	err      error
	timer    *time.Timer
	flushed  bool      // flushFirst ran: the stream counts in flushedStreams until it closes
	deadline time.Time // the write deadline set on the connection
}

func newEventStream(w http.ResponseWriter, keepAlive, writeTimeout time.Duration) *eventStream {
	s := new(eventStream)
	s.init(w, keepAlive, writeTimeout)
	return s
}

// init sets up a zero s to write to w.
func (s *eventStream) init(w http.ResponseWriter, keepAlive, writeTimeout time.Duration) {
	s.w, s.rc, s.keepAlive, s.writeTimeout, s.ping = w, *http.NewResponseController(w), keepAlive, writeTimeout, pingFrame
}

// startKeepAlive starts the keep-alive pings (none on a nil stream).
func (s *eventStream) startKeepAlive() {
	if s == nil || s.keepAlive <= 0 {
		return
	}
	s.mu.Lock()
	if !s.closed {
		s.timer = time.AfterFunc(s.keepAlive, s.tick)
	}
	s.mu.Unlock()
}

// tick runs on the keep-alive timer: a ping when nothing was written since
// the last tick, then the next tick.
func (s *eventStream) tick() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if !s.active {
		_ = s.writeLocked(s.ping)
	}
	s.active = false
	if s.err == nil {
		s.timer.Reset(s.keepAlive)
	}
}

var pingFrame = []byte(": ping\n\n")

// Started reports whether the headers went out; after that, errors must be
// sent in-band.
func (s *eventStream) Started() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.started
}

// failed reports whether a write failed (the client is gone or stopped
// reading).
func (s *eventStream) failed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err != nil
}

// write sends one complete event (already framed, ending in "\n\n").
func (s *eventStream) write(frame []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock() // also when the writer panics (echo's Flush does)
	s.active = true
	return s.writeLocked(frame)
}

func (s *eventStream) writeLocked(frame []byte) error {
	if s.err != nil {
		return s.err
	}
	if s.writeTimeout > 0 {
		s.extendDeadline()
	}
	first := !s.started
	if first {
		h := s.w.Header()
		h["Content-Type"] = headerEventStream
		h["Cache-Control"] = headerNoCache
		h["X-Accel-Buffering"] = headerNo
		h.Del("Content-Length")
		s.w.WriteHeader(http.StatusOK)
		s.started = true
	}
	if _, err := s.w.Write(frame); err != nil {
		return s.fail(err)
	}
	if first {
		return s.flushFirst()
	}
	return s.flushLocked()
}

func (s *eventStream) flushLocked() error {
	if err := s.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return s.fail(err)
	}
	return nil
}

// extendDeadline keeps the connection's write deadline at least half a
// write timeout away, setting it at most once per half timeout. A writer
// that cannot set deadlines (one without Unwrap) goes without.
func (s *eventStream) extendDeadline() {
	now := time.Now()
	if s.deadline.Sub(now) > s.writeTimeout/2 {
		return
	}
	d := now.Add(s.writeTimeout)
	if err := s.rc.SetWriteDeadline(d); err != nil {
		s.writeTimeout = 0
		return
	}
	s.deadline = d
}

func (s *eventStream) fail(err error) error {
	s.err = err
	return err
}

// close stops the keep-alives and lifts the write deadline (the connection
// may serve another request); no event is written after it. It may be
// called more than once, and on a nil stream.
func (s *eventStream) close() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	if s.flushed {
		flushedStreams.ended()
	}
	if s.timer != nil {
		s.timer.Stop()
	}
	if !s.deadline.IsZero() && s.err == nil {
		_ = s.rc.SetWriteDeadline(time.Time{})
	}
}

// appendDataFrame appends "data: " + json + "\n\n".
func appendDataFrame(b, json []byte) []byte {
	b = append(b, "data: "...)
	b = append(b, json...)
	return append(b, "\n\n"...)
}

// appendEventFrame appends a named event: "event: name\ndata: json\n\n".
func appendEventFrame(b []byte, name string, json []byte) []byte {
	b = append(b, "event: "...)
	b = append(b, name...)
	b = append(b, '\n')
	return appendDataFrame(b, json)
}

var doneFrame = []byte("data: [DONE]\n\n")

// WriteStreamError ends an SSE response whose headers already went out by
// reporting err in-band (see [AsError] for how err is mapped), as the
// handler ends a failed stream of the response's dialect: for the
// Anthropic Messages API (an answer carrying the request-id header the
// [Handler]'s Messages routes set) an event: error with the Anthropic
// envelope; for any other, an event data: {"error":{...}} then
// data: [DONE]. A flush follows. It is for middleware and handlers that
// fail mid-stream outside the Handler (a panic recovered after the first
// event, say); before any output, use [WriteErrorFor]. It returns the write
// error, if any.
func WriteStreamError(w http.ResponseWriter, err error) error {
	var frame []byte
	if id := w.Header().Get(headerRequestID); id != "" {
		frame = anthropicErrorFrame(AsError(err), id)
	} else {
		frame = append(errorFrame(AsError(err)), doneFrame...)
	}
	if _, werr := w.Write(frame); werr != nil {
		return werr
	}
	if ferr := http.NewResponseController(w).Flush(); ferr != nil && !errors.Is(ferr, http.ErrNotSupported) {
		return ferr
	}
	return nil
}

// errorFrame is the in-band error event: data: {"error":{...}}.
func errorFrame(e *Error) []byte {
	return appendDataFrame(nil, appendErrorBody(nil, e))
}
