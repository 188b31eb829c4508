package oaicompat

import (
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
//     so that wrappers implementing Unwrap keep streaming;
//   - while the backend is silent for a keep-alive interval a comment
//     ": ping" is sent (this commits the headers);
//   - the first failed write cancels the backend's context and is sticky.

// eventStream writes server-sent events to one response.
type eventStream struct {
	w      http.ResponseWriter
	rc     *http.ResponseController
	cancel func() // cancels the backend on a failed write

	mu      sync.Mutex
	started bool
	active  bool // an event was written since the last keep-alive tick
	closed  bool
	err     error
	stop    chan struct{}
	wg      sync.WaitGroup
}

func newEventStream(w http.ResponseWriter, cancel func(), keepAlive time.Duration) *eventStream {
	s := &eventStream{w: w, rc: http.NewResponseController(w), cancel: cancel}
	if keepAlive > 0 {
		s.stop = make(chan struct{})
		s.wg.Add(1)
		go s.keepAlive(keepAlive)
	}
	return s
}

func (s *eventStream) keepAlive(every time.Duration) {
	defer s.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.mu.Lock()
			if !s.active && !s.closed {
				_ = s.writeLocked([]byte(": ping\n\n"))
			}
			s.active = false
			s.mu.Unlock()
		}
	}
}

// Started reports whether the headers went out; after that, errors must be
// sent in-band.
func (s *eventStream) Started() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.started
}

// write sends one complete event (already framed, ending in "\n\n").
func (s *eventStream) write(frame []byte) error {
	s.mu.Lock()
	err := s.writeLocked(frame)
	s.active = true
	s.mu.Unlock()
	return err
}

func (s *eventStream) writeLocked(frame []byte) error {
	if s.err != nil {
		return s.err
	}
	if !s.started {
		h := s.w.Header()
		h.Set("Content-Type", "text/event-stream; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Accel-Buffering", "no")
		h.Del("Content-Length")
		s.w.WriteHeader(http.StatusOK)
		s.started = true
	}
	if _, err := s.w.Write(frame); err != nil {
		return s.fail(err)
	}
	if err := s.rc.Flush(); err != nil && err != http.ErrNotSupported {
		return s.fail(err)
	}
	return nil
}

func (s *eventStream) fail(err error) error {
	s.err = err
	if s.cancel != nil {
		s.cancel()
	}
	return err
}

// close stops the keep-alives; no event is written after it.
func (s *eventStream) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	if s.stop != nil {
		close(s.stop)
		s.wg.Wait()
	}
}

// appendDataFrame appends "data: " + json + "\n\n".
func appendDataFrame(b, json []byte) []byte {
	b = append(b, "data: "...)
	b = append(b, json...)
	return append(b, "\n\n"...)
}

// appendEventFrame appends a named event: "event: name\ndata: json\n\n".
//
//lint:ignore U1000 kept for the named-event dialects (Responses API) landing next.
func appendEventFrame(b []byte, name string, json []byte) []byte {
	b = append(b, "event: "...)
	b = append(b, name...)
	b = append(b, '\n')
	return appendDataFrame(b, json)
}

var doneFrame = []byte("data: [DONE]\n\n")

// errorFrame is the in-band error event: data: {"error":{...}}.
func errorFrame(e *Error) []byte {
	return appendDataFrame(nil, appendErrorBody(nil, e))
}
