package adaptertest

import (
	"net/http"

	"github.com/oaicompat/oaicompat"
)

// The suite's own net/http middleware, installed inside the router through
// its wrapper (echo.WrapMiddleware).

// unwrapOnly hides every method of the writer it wraps but the three of
// http.ResponseWriter and Unwrap, as many real middleware writers do: a
// stream flushes through it only by way of http.ResponseController.
type unwrapOnly struct{ http.ResponseWriter }

func (u unwrapOnly) Unwrap() http.ResponseWriter { return u.ResponseWriter }

// hideFlush passes the request on with the writer wrapped in unwrapOnly.
func hideFlush(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(unwrapOnly{w}, r)
	})
}

// recordCalls puts a CallInfo in the request context, as a metering
// middleware does, and sends it to calls once the handler has returned.
func recordCalls(calls chan<- oaicompat.CallInfo) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, info := oaicompat.NewCallInfoContext(r.Context())
			next.ServeHTTP(unwrapOnly{w}, r.WithContext(ctx))
			calls <- *info
		})
	}
}

// panicOn panics when the request carries header, for the router's recover
// middleware to catch.
func panicOn(header string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get(header) != "" {
				panic("adaptertest: panic in router middleware")
			}
			next.ServeHTTP(w, r)
		})
	}
}

// opaque passes the request on with the writer wrapped so that neither
// Flush nor Unwrap can be reached, as in older middleware.
func opaque(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(struct{ http.ResponseWriter }{w}, r)
	})
}
