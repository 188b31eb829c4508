// Package httpx holds the net/http pieces the handler and the middleware
// share.
package httpx

import (
	"net/http"
	"time"
)

// SetReadDeadline sets the read deadline of the connection under w as
// http.ResponseController does, without allocating one (or an error for a
// writer that cannot): it follows Unwrap to the first writer with a
// SetReadDeadline method, and answers http.ErrNotSupported when there is
// none.
func SetReadDeadline(w http.ResponseWriter, t time.Time) error {
	for {
		switch u := w.(type) {
		case interface{ SetReadDeadline(time.Time) error }:
			return u.SetReadDeadline(t)
		case interface{ Unwrap() http.ResponseWriter }:
			w = u.Unwrap()
		default:
			return http.ErrNotSupported
		}
	}
}
