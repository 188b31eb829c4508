// Package middleware holds the production concerns of an OpenAI-compatible
// server — API keys, rate limits, request ids, access logs, panics, CORS,
// body limits and timeouts — each as a plain
// func(http.Handler) http.Handler that answers in OpenAI's error envelope
// (through oaicompat.WriteError), so the official SDKs understand every
// refusal. They work around an oaicompat.Handler or any other handler, on
// any router that takes net/http middleware (echo.WrapMiddleware included).
//
// Every wrapper of the http.ResponseWriter implements Unwrap and Flush, so
// server-sent events still reach the client one by one through the whole
// chain. The middleware that report on a request (AccessLog, RateLimit,
// and telemetry.OTel of module github.com/oaicompat/oaicompat/telemetry)
// read the oaicompat.CallInfo the handler fills in: model, stream, usage,
// finish reasons, time of the first output. RateLimit also admits a
// request's tokens through it (CallInfo.Admit), so no middleware reads or
// copies the request body. The middleware of a chain share one per-request
// record (one context value holding the ids, the CallInfo and the
// ResponseWriter wrapper), so the chain costs a few allocations, not a
// context and a request copy per middleware.
//
// A sensible order, outermost first:
//
//	RequestID   every response, even a recovered panic, carries x-request-id
//	telemetry.OTel  the span and metrics see the final status
//	AccessLog   the log line sees the final status
//	Recovery    panics anywhere inside become OpenAI errors
//	CORS        preflights are answered before authentication; 401s stay readable
//	BodyLimit   refuses oversized bodies before anything reads them
//	Auth        sets the key id that RateLimit, AccessLog and the backend use
//	RateLimit   per key id
//	Timeout     the deadline covers reading the body and the backend call
//
// Chain composes them in that reading order; see Example_chain. This
// package imports only the standard library and package oaicompat: the
// Redis rate-limit store and OpenTelemetry live in modules of their own
// (redisstore, telemetry).
package middleware

import "net/http"

// Chain returns a middleware that applies mws in order: the first is the
// outermost, the one a request meets first.
func Chain(mws ...func(http.Handler) http.Handler) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		for i := len(mws) - 1; i >= 0; i-- {
			h = mws[i](h)
		}
		return h
	}
}
