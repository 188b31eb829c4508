package middleware

import (
	"net/http"
)

// responseWriter is the one http.ResponseWriter wrapper of this package,
// used by every middleware that needs to know what a handler wrote (status,
// size, whether the response began, and optionally its first bytes). It
// keeps streaming intact: Flush and FlushError reach the writer underneath,
// and Unwrap lets http.ResponseController find every other capability
// (Hijack, SetWriteDeadline, ...).
type responseWriter struct {
	http.ResponseWriter
	status  int   // 0 until the header was written
	size    int64 // body bytes written
	capture []byte
	keep    int // how many body bytes to capture; 0 captures none
}

func newResponseWriter(w http.ResponseWriter) *responseWriter {
	return &responseWriter{ResponseWriter: w}
}

// ServeStatus serves r with next and returns the status it sent: 200 when
// next wrote nothing (as net/http then sends), else the first final
// status. Streaming stays intact (flushes and http.ResponseController reach
// w). It lets middleware of other modules (package telemetry) observe a
// response without wrapping the writer themselves.
func ServeStatus(next http.Handler, w http.ResponseWriter, r *http.Request) int {
	rw := newResponseWriter(w)
	next.ServeHTTP(rw, r)
	return rw.Status()
}

// WriteHeader records the first final status; informational (1xx) headers
// pass through unrecorded.
func (w *responseWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.size += int64(n)
	if room := w.keep - len(w.capture); room > 0 {
		w.capture = append(w.capture, b[:min(room, n)]...)
	}
	return n, err
}

// Flush implements http.Flusher for code that still type-asserts it.
func (w *responseWriter) Flush() { _ = w.FlushError() }

// FlushError flushes the writer underneath; http.ResponseController prefers
// it to Flush, so flush errors reach the streaming code.
func (w *responseWriter) FlushError() error { return flush(w.ResponseWriter) }

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Started reports whether the status line went out, after which errors can
// only be reported in-band.
func (w *responseWriter) Started() bool { return w.status != 0 }

// Status returns the status sent: 200 when the handler wrote nothing (as
// net/http then sends), else the first final status.
func (w *responseWriter) Status() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// flush flushes w the way http.ResponseController does, without allocating
// one per event: FlushError, else Flush, else the unwrapped writer.
func flush(w http.ResponseWriter) error {
	for {
		switch t := w.(type) {
		case interface{ FlushError() error }:
			return t.FlushError()
		case http.Flusher:
			t.Flush()
			return nil
		case interface{ Unwrap() http.ResponseWriter }:
			w = t.Unwrap()
		default:
			return http.ErrNotSupported
		}
	}
}
