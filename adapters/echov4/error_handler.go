package echov4

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/internal/mount"
)

// ErrorHandler returns an echo.HTTPErrorHandler that answers the errors of
// requests under the API's prefix in OpenAI's error envelope and hands every
// other error to next (echo's default handler when next is nil), so that the
// rest of the application keeps its own error format:
//
//	e.HTTPErrorHandler = api.ErrorHandler(e.HTTPErrorHandler)
//
// These are the errors echo raises itself (404, 405) or that echo middleware
// returns (BodyLimit's 413, KeyAuth's 400 or 401, Recover's 500, ...): the
// status is kept, *echo.HTTPError messages are kept, and any other error
// becomes a 500 whose message does not reveal it. An *oaicompat.Error is
// written as is. Nothing is written once the response is committed. Wrap
// once per mounted API.
func (a *API) ErrorHandler(next echo.HTTPErrorHandler) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		r := c.Request()
		if !mount.Under(r.URL.Path, a.prefix) {
			if next == nil {
				c.Echo().DefaultHTTPErrorHandler(err, c)
			} else {
				next(err, c)
			}
			return
		}
		if c.Response().Committed {
			return
		}
		oaicompat.WriteErrorFor(c.Response(), r, toError(r, err))
	}
}

// toError converts an error returned through echo into the OpenAI error to
// answer.
func toError(r *http.Request, err error) *oaicompat.Error {
	var oe *oaicompat.Error
	if errors.As(err, &oe) {
		return oe
	}
	var he *echo.HTTPError
	if !errors.As(err, &he) {
		return oaicompat.AsError(err)
	}
	if inner, ok := he.Internal.(*echo.HTTPError); ok {
		he = inner
	}
	return mount.Error(r, he.Code, message(he.Message), err)
}

// message returns the text of an echo.HTTPError's Message, which may be
// anything; "" lets mount.Error use the status's default.
func message(m any) string {
	switch m := m.(type) {
	case string:
		return m
	case error:
		return m.Error()
	case fmt.Stringer:
		return m.String()
	}
	return ""
}
