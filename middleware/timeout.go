package middleware

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/internal/httpx"
)

// Timeout bounds how long a request may take, reading its body included,
// streamed or not, by putting a deadline of d on the request's context; it
// never wraps the ResponseWriter. The backend sees ctx.Done() and
// context.DeadlineExceeded when the time is up, and an oaicompat.Handler
// answers 504 "The request timed out." (code "timeout") before any output,
// or reports the same error in-band (data: {"error":...} then data: [DONE])
// once a stream began. Backends must watch their context for the deadline
// to take effect. d <= 0 disables the timeout.
//
// The same deadline is put on reading the request body (through
// http.ResponseController.SetReadDeadline, lifted once the body has been
// read to its end): a client that has not sent its whole body in time gets
// 408 in the envelope (type "invalid_request_error", code
// "request_timeout") with Connection: close, and its connection is closed.
// That is the answer of an oaicompat.Handler whose own read timeout
// (oaicompat.WithReadTimeout) passes first; the handler reads the body by
// the earlier of the two. Other handlers get the 408 as the error of their
// body's Read, an *oaicompat.Error that oaicompat.WriteError answers as is.
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
			r = r.WithContext(ctx)
			if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
				deadline, _ := ctx.Deadline()
				if httpx.SetReadDeadline(w, deadline) == nil {
					r.Body = &deadlineBody{ReadCloser: r.Body, w: w}
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// errBodyTimeout is the answer to a body that did not arrive in time: the
// one an oaicompat.Handler gives when its own read timeout passes.
var errBodyTimeout = &oaicompat.Error{Status: http.StatusRequestTimeout, Type: oaicompat.TypeInvalidRequest,
	Code: "request_timeout", Message: "Timed out reading the request body.", Header: http.Header{"Connection": {"close"}}}

// deadlineBody is a request body read under a connection read deadline: it
// lifts the deadline at the end of the body (left in place, it would end
// net/http's background read of the connection, which cancels the
// request's context), and reports a read that timed out as errBodyTimeout.
type deadlineBody struct {
	io.ReadCloser
	w    http.ResponseWriter
	done bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == nil || b.done:
	case err == io.EOF:
		b.done = true
		_ = httpx.SetReadDeadline(b.w, time.Time{})
	case isTimeout(err):
		b.done = true
		return n, errBodyTimeout // no cause: a slow client is no server error to log
	}
	return n, err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}
