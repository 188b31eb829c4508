package middleware

import (
	"context"
	"net/http"
	"time"
)

// Timeout bounds how long a request may take, streamed or not, by putting a
// deadline of d on the request's context; it never wraps the
// ResponseWriter. The backend sees ctx.Done() and context.DeadlineExceeded
// when the time is up, and an oaicompat.Handler answers 504 "The request
// timed out." (code "timeout") before any output, or reports the same error
// in-band (data: {"error":...} then data: [DONE]) once a stream began.
// Backends must watch their context for the deadline to take effect. d <= 0
// disables the timeout.
//
// Do not put http.TimeoutHandler in front of streaming routes: it buffers
// the whole response in memory and does not implement http.Flusher (its
// writer has no Unwrap either), so server-sent events reach the client only
// when the handler returns, and a stream cut by the deadline becomes a 503
// with an HTML body instead of an OpenAI error. Likewise
// http.Server.WriteTimeout cuts every response, streams included, at a fixed
// time after the request was read: keep it above the longest stream, or 0
// with this middleware doing the bounding.
func Timeout(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if d <= 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}
