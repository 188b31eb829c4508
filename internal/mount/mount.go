// Package mount holds what the router adapters (adapters/echov4,
// adapters/echov5) share and that does not depend on a router: which
// requests belong to a mounted API, how an error raised by a router or its
// middleware becomes an OpenAI error, how a router's body-limit error
// reaches the handler as one, and how a stream flushes through echo's
// response writer without its panic.
package mount

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/oaicompat/oaicompat"
)

// Under reports whether path is prefix or lies below it. Every path is
// under the empty prefix (an API mounted at the root).
func Under(path, prefix string) bool {
	if !strings.HasPrefix(path, prefix) {
		return false
	}
	return prefix == "" || len(path) == len(prefix) || path[len(prefix)] == '/'
}

// Error returns the OpenAI error for an HTTP error with status and message
// that a router or its middleware raised while serving r, keeping the
// status. An empty message, or the bare status text, is replaced by what
// OpenAI says for that status: "Invalid URL (POST /v1/x)" for 404, the
// generic apology for 500. cause is kept for errors.Is and logs and never
// sent.
func Error(r *http.Request, status int, message string, cause error) *oaicompat.Error {
	if status < 100 || status > 999 {
		status = http.StatusInternalServerError
	}
	if message == "" || message == http.StatusText(status) {
		message = defaultMessage(r, status)
	}
	typ, code := oaicompat.TypeInvalidRequest, ""
	switch {
	case status == http.StatusUnauthorized:
		code = "invalid_api_key"
	case status == http.StatusForbidden:
		typ = oaicompat.TypeForbidden
	case status == http.StatusMethodNotAllowed:
		code = "method_not_allowed"
	case status == http.StatusRequestEntityTooLarge:
		code = "request_too_large"
	case status == http.StatusTooManyRequests:
		typ, code = oaicompat.TypeRateLimit, "rate_limit_exceeded"
	case status >= 500:
		typ = oaicompat.TypeServerError
	}
	return (&oaicompat.Error{Status: status, Type: typ, Code: code, Message: message}).WithCause(cause)
}

func defaultMessage(r *http.Request, status int) string {
	switch status {
	case http.StatusNotFound:
		return fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path)
	case http.StatusInternalServerError:
		// AsError gives any error that is not an *Error the generic 500.
		return oaicompat.AsError(nil).Message
	}
	return http.StatusText(status)
}

// TranslateBody makes every read error of r's body pass through convert.
// A router's body-limit middleware fails the read with its own error type,
// which the handler would answer as a 400; convert turns it into an
// *oaicompat.Error (413) that the handler answers as is.
func TranslateBody(r *http.Request, convert func(error) error) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = translatedBody{r.Body, convert}
	}
}

type translatedBody struct {
	io.ReadCloser
	convert func(error) error
}

func (b translatedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = b.convert(err)
	}
	return n, err
}

// Clean returns a route prefix with a leading "/" and no trailing one; ""
// (a Group's own prefix) stays "".
func Clean(prefix string) string {
	prefix = strings.TrimRight(prefix, "/")
	if prefix != "" && prefix[0] != '/' {
		prefix = "/" + prefix
	}
	return prefix
}

// WithBasePath returns opts followed by oaicompat.WithBasePath(base), in a
// new slice, so that base overrides any base path in opts.
func WithBasePath(opts []oaicompat.Option, base string) []oaicompat.Option {
	return append(opts[:len(opts):len(opts)], oaicompat.WithBasePath(base))
}

// SafeFlush wraps w, an echo Response, so that flushing goes to the writer
// under it: echo's Response.Flush panics when that writer cannot flush (a
// net/http middleware's wrapper that hides Flush and Unwrap, say), where
// net/http reports http.ErrNotSupported and a stream simply goes out
// unflushed. Writes still go through w, which keeps echo's bookkeeping
// (status, size, committed).
func SafeFlush(w http.ResponseWriter) http.ResponseWriter { return safeFlush{w} }

type safeFlush struct{ http.ResponseWriter }

func (s safeFlush) FlushError() error {
	w := s.ResponseWriter
	if u, ok := w.(interface{ Unwrap() http.ResponseWriter }); ok {
		w = u.Unwrap()
	}
	return http.NewResponseController(w).Flush()
}

func (s safeFlush) Unwrap() http.ResponseWriter { return s.ResponseWriter }
