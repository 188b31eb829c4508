package echov5

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v5"
	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/internal/mount"
)

// ErrorHandler returns an echo.HTTPErrorHandler that answers the errors of
// requests under the API's prefix in OpenAI's error envelope and hands every
// other error to next (echo.DefaultHTTPErrorHandler(false) when next is
// nil), so that the rest of the application keeps its own error format:
//
//	e.HTTPErrorHandler = api.ErrorHandler(e.HTTPErrorHandler)
//
// These are the errors echo raises itself (404) or that echo middleware
// returns (BodyLimit's 413, KeyAuth's 401, Recover's 500, ...): the status
// (echo.HTTPStatusCoder) is kept, *echo.HTTPError messages are kept, and any
// other error becomes a 500 whose message does not reveal it. An
// *oaicompat.Error is written as is. Nothing is written once the response is
// committed. Wrap once per mounted API.
func (a *API) ErrorHandler(next echo.HTTPErrorHandler) echo.HTTPErrorHandler {
	if next == nil {
		next = echo.DefaultHTTPErrorHandler(false)
	}
	return func(c *echo.Context, err error) {
		r := c.Request()
		if !mount.Under(r.URL.Path, a.prefix) {
			next(c, err)
			return
		}
		if resp, _ := echo.UnwrapResponse(c.Response()); resp != nil && resp.Committed {
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
	if errors.As(err, &he) {
		return mount.Error(r, he.Code, he.Message, err)
	}
	var sc echo.HTTPStatusCoder
	if errors.As(err, &sc) {
		return mount.Error(r, sc.StatusCode(), "", err)
	}
	return oaicompat.AsError(err)
}
