// Package echov5 mounts the OpenAI API of oaicompat on an echo v5 router
// (github.com/labstack/echo/v5) beside the application's own routes:
//
//	e := echo.New()
//	api := echov5.Register(e, "/v1", backend)            // or on a Group
//	e.HTTPErrorHandler = api.ErrorHandler(e.HTTPErrorHandler)
//
// It is the echo v5 twin of github.com/oaicompat/oaicompat/adapters/echov4
// and behaves the same: requests under the prefix are served by an
// oaicompat.Handler (its own routing, 404 and 405 in OpenAI's error
// envelope, SSE flushed event by event through echo's response writer); the
// error handler answers the errors that echo or echo middleware raise on
// those requests (body limit, key auth, recovered panics, ...) in the same
// envelope and passes every other request's error on unchanged. net/http
// middleware runs inside echo through echo.WrapMiddleware.
package echov5

import (
	"errors"
	"strings"

	"github.com/labstack/echo/v5"
	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/internal/mount"
)

// Router is what Register mounts on: an *echo.Echo or an *echo.Group.
type Router interface {
	Any(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) echo.RouteInfo
}

// API is the OpenAI API mounted on an echo router by Register.
type API struct {
	prefix  string
	handler *oaicompat.Handler
}

// Register mounts the OpenAI API served from backend on r under prefix
// (relative to r, like any echo route: "/v1", or "" for a Group's own
// prefix) and returns it. The handler is built with opts, and with
// oaicompat.WithBasePath set to the full path the routes end up at (any
// WithBasePath in opts is overridden), so that it routes and reports URLs
// exactly as the client sent them.
//
// Group middleware applies to the API when it was added to the Group before
// Register, as for any echo route.
func Register(r Router, prefix string, backend oaicompat.Backend, opts ...oaicompat.Option) *API {
	api := &API{}
	route := r.Any(mount.Clean(prefix)+"/*", api.serve)
	api.prefix = strings.TrimSuffix(route.Path, "/*")
	api.handler = oaicompat.NewHandler(backend, mount.WithBasePath(opts, api.prefix)...)
	return api
}

// Prefix returns the full path the API is mounted at, e.g. "/api/v1": the
// base URL an OpenAI client needs, after the host.
func (a *API) Prefix() string { return a.prefix }

// serve hands the request to the handler, with echo's body-limit errors
// translated so that an oversized body answers 413 rather than 400, and
// flushes that cannot panic (see mount.SafeFlush).
func (a *API) serve(c *echo.Context) error {
	r := c.Request()
	mount.TranslateBody(r, func(err error) error {
		var sc echo.HTTPStatusCoder
		if errors.As(err, &sc) {
			return toError(r, err)
		}
		return err
	})
	a.handler.ServeHTTP(mount.SafeFlush(c.Response()), r)
	return nil
}
