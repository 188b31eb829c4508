package oaicompat

import (
	"net/http"
	"strings"

	"github.com/oaicompat/oaicompat/anthropic"
	"github.com/oaicompat/oaicompat/internal/jsonx"
)

// This file is the Anthropic Messages API's error envelope, written on
// every path under {base}/messages (404, 405 and 413 included) and by
// WriteErrorFor for middleware:
//
//	{"type":"error","error":{"type":"invalid_request_error","message":"..."},"request_id":"req_..."}
//
// with a request-id response header carrying the same id. The error type
// follows the status, as the API's table has it (400 invalid_request_error,
// 401 authentication_error, 402 billing_error, 403 permission_error, 404
// not_found_error, 413 request_too_large, 429 rate_limit_error, 500
// api_error, 504 timeout_error, 529 overloaded_error), unless the *Error's
// Type already is one of Anthropic's own. An overloaded backend's 503 is
// sent as the API sends overload: 529 overloaded_error, which both
// Anthropic SDKs retry.

// anthropicStatuses is the API's status table: each error type and the
// status it is sent with (invalid_request_error and api_error also stand
// for the 4xx and 5xx statuses not listed).
var anthropicStatuses = []struct {
	status int
	typ    string
}{
	{http.StatusBadRequest, anthropic.ErrInvalidRequest},
	{http.StatusUnauthorized, anthropic.ErrAuthentication},
	{http.StatusPaymentRequired, anthropic.ErrBilling},
	{http.StatusForbidden, anthropic.ErrPermission},
	{http.StatusNotFound, anthropic.ErrNotFound},
	{http.StatusRequestEntityTooLarge, anthropic.ErrRequestTooLarge},
	{http.StatusTooManyRequests, anthropic.ErrRateLimit},
	{http.StatusInternalServerError, anthropic.ErrAPI},
	{http.StatusGatewayTimeout, anthropic.ErrTimeout},
	{statusOverloaded, anthropic.ErrOverloaded},
}

// statusOverloaded is the status the Anthropic API answers overload with.
const statusOverloaded = 529

// anthropicStatus returns the status and Anthropic error type e is sent
// with: by its status, unless its Type is one of the API's own that
// OpenAI does not use; a 503 is overload.
func anthropicStatus(e *Error) (int, string) {
	status := e.Status
	if status == http.StatusServiceUnavailable {
		return statusOverloaded, anthropic.ErrOverloaded
	}
	for _, s := range anthropicStatuses {
		if e.Type == s.typ && s.typ != anthropic.ErrInvalidRequest {
			if s.typ == anthropic.ErrOverloaded {
				status = statusOverloaded
			}
			return status, s.typ
		}
	}
	for _, s := range anthropicStatuses {
		if status == s.status {
			return status, s.typ
		}
	}
	if status >= 500 {
		return status, anthropic.ErrAPI
	}
	return status, anthropic.ErrInvalidRequest
}

// errorFromAnthropic is the *Error for an Anthropic error object (an
// upstream's, relayed by a MessageCreator as an error event).
func errorFromAnthropic(o *anthropic.ErrorObject) *Error {
	e := &Error{Status: http.StatusInternalServerError, Type: o.Type, Message: o.Message}
	for _, s := range anthropicStatuses {
		if o.Type == s.typ {
			e.Status = s.status
		}
	}
	return e
}

// appendAnthropicError appends the envelope of e.
func appendAnthropicError(b []byte, e *Error, requestID string) []byte {
	_, typ := anthropicStatus(e)
	b = append(b, `{"type":"error","error":{"type":`...)
	b = jsonx.AppendString(b, typ)
	b = append(b, `,"message":`...)
	b = jsonx.AppendString(b, e.Message)
	b = append(b, '}')
	if requestID != "" {
		b = append(b, `,"request_id":`...)
		b = jsonx.AppendString(b, requestID)
	}
	return append(b, '}')
}

// writeAnthropicError is the writeError of the Messages dialect: e in the
// Anthropic envelope, with its headers, and the request id of the
// request-id header the route set.
func writeAnthropicError(w http.ResponseWriter, e *Error) {
	h := w.Header()
	for k, vs := range e.Header {
		h[k] = vs
	}
	h["Content-Type"] = headerJSON
	h.Del("Content-Length")
	status, _ := anthropicStatus(e)
	buf := getBuffer()
	buf.B = appendAnthropicError(buf.B, e, h.Get(headerRequestID))
	buf.B = append(buf.B, '\n')
	w.WriteHeader(status)
	_, _ = w.Write(buf.B)
	putBuffer(buf)
}

// headerRequestID is the response header of the Anthropic request id.
const headerRequestID = "Request-Id"

// setRequestID sets the request-id response header, unless set: the
// request's X-Request-Id (middleware.RequestID sets one) or a new "req_"
// id from ids.
func setRequestID(w http.ResponseWriter, r *http.Request, ids func(string) string) {
	h := w.Header()
	if h.Get(headerRequestID) != "" {
		return
	}
	id := r.Header.Get("X-Request-Id")
	if id == "" || len(id) > 128 || strings.ContainsAny(id, " \t\r\n") {
		id = ids("req_")
	}
	h.Set(headerRequestID, id)
}

// anthropicRoute wraps the handler of a route of the Messages API: every
// answer carries a request-id header, which error bodies repeat.
func (h *Handler) anthropicRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setRequestID(w, r, h.cfg.ids)
		next.ServeHTTP(w, r)
	})
}

// WriteErrorFor writes err as the answer to r in the error envelope r's
// client expects: the Anthropic envelope (with a request-id header) for a
// request of the Anthropic Messages API, one whose path ends in
// /v1/messages or lies under /v1/messages/, or that carries an
// anthropic-version header, or whose answer already has a request-id
// header (the [Handler]'s Messages routes set one first); OpenAI's (see
// [WriteError]) for any other. It is meant for middleware that refuses
// requests before the Handler sees them (authentication, rate limits,
// body limits), so that every client gets an error its SDK understands.
// See [AsError] for how a non-*[Error] is mapped.
func WriteErrorFor(w http.ResponseWriter, r *http.Request, err error) {
	if !isAnthropicRequest(w, r) {
		WriteError(w, err)
		return
	}
	setRequestID(w, r, randomID)
	writeAnthropicError(w, AsError(err))
}

// isAnthropicRequest reports whether r is a request of the Anthropic
// Messages API, by its path or its anthropic-version header.
func isAnthropicRequest(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Anthropic-Version") != "" || w.Header().Get(headerRequestID) != "" {
		return true
	}
	p := r.URL.Path
	return strings.HasSuffix(p, "/v1/messages") || strings.Contains(p, "/v1/messages/")
}

// anthropicTypeError words a body field of the wrong type as the API
// does: "messages.0.content: Input should be a valid list".
func anthropicTypeError(param, want, _ string) *Error {
	p := anthropicPath(param)
	text := "Input should be " + want
	switch want {
	case "an object":
		text = "Input should be a valid dictionary"
	case "an array":
		text = "Input should be a valid list"
	case "a string", "a boolean", "an integer", "a number":
		text = "Input should be a valid " + strings.TrimPrefix(strings.TrimPrefix(want, "an "), "a ")
	case "one of a string or array of objects":
		text = "Input should be a valid string or a valid list"
	}
	e := InvalidRequest(p, "%s: %s", p, text)
	e.Code = "invalid_type"
	return e
}

// anthropicPath turns a decoder path (messages[0].content) into the API's
// (messages.0.content).
func anthropicPath(p string) string {
	if strings.IndexByte(p, '[') < 0 {
		return p
	}
	return strings.NewReplacer("[", ".", "]", "").Replace(p)
}

// fieldError is a 400 invalid_request_error in the API's words: the field
// path, a colon, what is wrong ("max_tokens: Field required").
func fieldError(param, format string, args ...any) *Error {
	e := InvalidRequest(param, format, args...)
	e.Message = param + ": " + e.Message
	return e
}

// fieldRequired is the API's error for a missing field.
func fieldRequired(param string) *Error { return fieldError(param, "Field required") }
