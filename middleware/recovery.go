package middleware

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/oaicompat/oaicompat"
)

// Recovery turns a panic anywhere inside it into an OpenAI error instead of
// a dropped connection, logs it with its stack to logger (slog.Default()
// when nil), and lets the server go on serving:
//
//   - before anything was written: 500 server_error in the envelope, which
//     the SDKs treat as retryable;
//   - during a server-sent-events stream: an in-band event
//     data: {"error":{...}} then data: [DONE], as oaicompat's handler ends a
//     failed stream;
//   - during any other response: the connection is aborted
//     (http.ErrAbortHandler), so the client sees a broken response rather
//     than a truncated body that looks whole.
//
// An oaicompat.Handler already recovers its backends' panics itself; this
// middleware covers the rest of the chain and other handlers.
// http.ErrAbortHandler is passed on untouched.
func Recovery(logger *slog.Logger) func(http.Handler) http.Handler {
	if logger == nil {
		logger = slog.Default()
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var rw *responseWriter
			if rec := recordFrom(r.Context()); rec != nil {
				rw = rec.writer(w) // shared with AccessLog
			} else {
				rw = newResponseWriter(w)
			}
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v == http.ErrAbortHandler {
					panic(v)
				}
				logger.LogAttrs(r.Context(), slog.LevelError, "oaicompat/middleware: panic recovered",
					slog.String("method", r.Method), slog.String("path", r.URL.Path),
					slog.String("request_id", RequestIDFromContext(r.Context())),
					slog.String("panic", fmt.Sprint(v)), slog.String("stack", string(debug.Stack())))
				e := oaicompat.AsError(panicError{v})
				if ci := oaicompat.CallInfoFromContext(r.Context()); ci != nil {
					ci.Err = e
				}
				switch {
				case !rw.Started():
					oaicompat.WriteErrorFor(rw, r, e)
				case strings.HasPrefix(rw.Header().Get("Content-Type"), "text/event-stream"):
					_ = oaicompat.WriteStreamError(rw, e)
				default:
					panic(http.ErrAbortHandler)
				}
			}()
			next.ServeHTTP(rw, r)
		})
	}
}

// panicError carries a recovered value; oaicompat.AsError maps it to the
// generic 500 whose message reveals nothing.
type panicError struct{ v any }

func (p panicError) Error() string { return fmt.Sprintf("panic: %v", p.v) }
