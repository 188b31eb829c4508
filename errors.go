package oaicompat

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/oaicompat/oaicompat/internal/jsonx"
)

// Error is an error in OpenAI's wire shape. Every error the library answers
// with, and every error a [Backend] wants a client to see as such, is an *Error:
//
//	{"error":{"message":"...","type":"invalid_request_error","param":"temperature","code":null}}
//
// An empty Param or Code is sent as null. Header holds extra response headers
// (Retry-After, x-should-retry, ...). A [Backend] returning any error that is not
// an *[Error] (found with errors.As) produces a 500 server_error whose message
// does not reveal the cause; returning context.Canceled writes nothing.
type Error struct {
	// Status is the HTTP status code, e.g. 400.
	Status int
	// Type is OpenAI's error class, e.g. "invalid_request_error".
	Type string
	// Code is a machine-readable code such as "model_not_found"; "" is null.
	Code string
	// Param names the offending request field, e.g. "messages[1].role"; "" is null.
	Param string
	// Message is the human-readable text the client sees.
	Message string
	// Header is added to the response headers when the error is written.
	Header http.Header

	cause error
}

// Error types used by OpenAI and by this package.
const (
	TypeInvalidRequest = "invalid_request_error"
	TypeServerError    = "server_error"
	TypeRateLimit      = "requests"
	TypeTokens         = "tokens"
	TypeQuota          = "insufficient_quota"
	TypeForbidden      = "request_forbidden"
	// TypeModelError is what OpenAI answers when a model produced output it
	// cannot deliver (see [Violation]).
	TypeModelError = "model_error"
)

func (e *Error) Error() string {
	if e.Param != "" {
		return fmt.Sprintf("oaicompat: %d %s (%s): %s", e.Status, e.Type, e.Param, e.Message)
	}
	return fmt.Sprintf("oaicompat: %d %s: %s", e.Status, e.Type, e.Message)
}

// Unwrap returns the cause given to WithCause, if any.
func (e *Error) Unwrap() error { return e.cause }

// WithCause returns a copy of e that wraps cause for errors.Is and logging.
// The cause is never sent to the client.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.cause = cause
	return &c
}

// InvalidRequest is the 400 invalid_request_error for a bad field; param names
// the field path (e.g. "messages[0].content") or is "" when no field is at fault.
func InvalidRequest(param, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Type: TypeInvalidRequest, Param: param, Message: fmt.Sprintf(format, args...)}
}

// InvalidValue is [InvalidRequest] with code "invalid_value", as OpenAI sends for
// out-of-range or unsupported values.
func InvalidValue(param, format string, args ...any) *Error {
	e := InvalidRequest(param, format, args...)
	e.Code = "invalid_value"
	return e
}

// ModelNotFound is the 404 OpenAI answers for a model that does not exist.
func ModelNotFound(model string) *Error {
	return &Error{Status: http.StatusNotFound, Type: TypeInvalidRequest, Code: "model_not_found", Message: fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", model)}

}

// ContextLengthExceeded is the 400 for a prompt longer than the model accepts.
func ContextLengthExceeded(message string) *Error {
	return &Error{Status: http.StatusBadRequest, Type: TypeInvalidRequest, Code: "context_length_exceeded", Param: "messages", Message: message}
}

// RateLimited is a 429 rate_limit_exceeded error. A positive retryAfter is sent
// as Retry-After (whole seconds, rounded up) and retry-after-ms.
func RateLimited(retryAfter time.Duration, message string) *Error {
	e := &Error{Status: http.StatusTooManyRequests, Type: TypeRateLimit, Code: "rate_limit_exceeded", Message: message}
	if retryAfter > 0 {
		e.Header = http.Header{}
		secs := int64((retryAfter + time.Second - 1) / time.Second)
		e.Header.Set("Retry-After", strconv.FormatInt(secs, 10))
		e.Header.Set("Retry-After-Ms", strconv.FormatInt(retryAfter.Milliseconds(), 10))
	}
	return e
}

// ServerError is a 500 server_error with the given message.
func ServerError(message string) *Error {
	return &Error{Status: http.StatusInternalServerError, Type: TypeServerError, Message: message}
}

// genericServerError is what clients see for a backend error that is not an *[Error].
var genericServerError = ServerError("The server had an error while processing your request. Sorry about that!")

// Unsupported is the 404 answered when the backend lacks the capability an
// endpoint needs (for example embeddings). 404 rather than 501 because the
// OpenAI SDKs retry every 5xx, and retrying cannot help here.
func Unsupported(method, path string) *Error {
	return &Error{Status: http.StatusNotFound, Type: TypeInvalidRequest, Code: "unsupported_endpoint", Message: fmt.Sprintf("This server does not support %s %s.", method, path)}

}

// invalidURL is OpenAI's answer for an unknown route.
func invalidURL(r *http.Request) *Error {
	return &Error{Status: http.StatusNotFound, Type: TypeInvalidRequest, Message: fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path)}

}

// AsError converts any error to the *[Error] a client should see: an *Error in
// err's chain is returned as is, an http.MaxBytesError becomes 413, and
// context.DeadlineExceeded becomes a 504 timeout, and anything else a
// generic 500 server_error that wraps err (see [Error.Unwrap]).
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return &Error{Status: http.StatusRequestEntityTooLarge, Type: TypeInvalidRequest, Code: "request_too_large", Message: fmt.Sprintf("Request body too large: the limit is %d bytes.", mb.Limit)}

	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Status: http.StatusGatewayTimeout, Type: TypeServerError, Code: "timeout", Message: "The request timed out."}
	}
	return genericServerError.WithCause(err)
}

// WriteError writes err to w as an OpenAI error response: the JSON envelope
// with all four keys, the error's status and headers. It is meant for
// middleware and backends that must answer outside the handler; see [AsError]
// for how a non-*[Error] is mapped.
func WriteError(w http.ResponseWriter, err error) {
	e := AsError(err)
	h := w.Header()
	for k, vs := range e.Header {
		h[k] = vs
	}
	h["Content-Type"] = headerJSON
	h.Del("Content-Length")
	buf := getBuffer()
	buf.B = appendErrorBody(buf.B, e)
	buf.B = append(buf.B, '\n')
	w.WriteHeader(e.Status)
	_, _ = w.Write(buf.B)
	putBuffer(buf)
}

// appendErrorBody appends {"error":{...}} for e.
func appendErrorBody(b []byte, e *Error) []byte {
	b = append(b, `{"error":{"message":`...)
	b = jsonx.AppendString(b, e.Message)
	b = append(b, `,"type":`...)
	b = jsonx.AppendString(b, e.Type)
	b = append(b, `,"param":`...)
	b = jsonx.AppendNullableString(b, e.Param)
	b = append(b, `,"code":`...)
	b = jsonx.AppendNullableString(b, e.Code)
	return append(b, "}}"...)
}
