package middleware

import (
	"net/http"

	"github.com/oaicompat/oaicompat"
)

// BodyLimit bounds request bodies to n bytes. A request whose Content-Length
// says more is answered at once with 413 in the OpenAI envelope
// (code "request_too_large"); a body without a length that turns out longer
// fails as it is read, with an *http.MaxBytesError that oaicompat's handler
// (and oaicompat.WriteError) also answer 413. An oaicompat.Handler has its
// own limit too (WithMaxRequestBytes, 32 MiB by default); this middleware
// is for a lower bound on a whole route, or in front of handlers that have
// none. n <= 0 disables the limit.
func BodyLimit(n int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if n <= 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > n {
				w.Header().Set("Connection", "close") // the unread body is not drained
				oaicompat.WriteErrorFor(w, r, &http.MaxBytesError{Limit: n})
				return
			}
			if r.Body != nil && r.Body != http.NoBody {
				r2 := *r
				r2.Body = http.MaxBytesReader(w, r.Body, n)
				r = &r2
			}
			next.ServeHTTP(w, r)
		})
	}
}
