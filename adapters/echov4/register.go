// Package echov4 mounts the OpenAI API of oaicompat on an echo v4 router
// (github.com/labstack/echo/v4) beside the application's own routes:
//
//	e := echo.New()
//	api := echov4.Register(e, "/v1", backend)            // or on a Group
//	e.HTTPErrorHandler = api.ErrorHandler(e.HTTPErrorHandler)
//
// Requests under the prefix are served by an oaicompat.Handler (its own
// routing, 404 and 405 in OpenAI's error envelope, SSE flushed event by event
// through echo's response writer). The error handler answers the errors that
// echo itself or echo middleware raise on those requests (body limit, key
// auth, recovered panics, ...) in the same envelope, and passes every other
// request's error to the application's handler unchanged.
//
// Middleware written for net/http, such as oaicompat's middleware package,
// runs inside echo through echo.WrapMiddleware:
//
//	g := e.Group("/v1", echo.WrapMiddleware(mw))
//	echov4.Register(g, "", backend)
//
// echo v4 receives only security and bug fixes until 2026-12-31; the same
// adapter for echo v5 is github.com/oaicompat/oaicompat/adapters/echov5.
package echov4

import (
	"errors"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/internal/mount"
)

// Router is what Register mounts on: an *echo.Echo or an *echo.Group.
type Router interface {
	Any(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) []*echo.Route
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
	routes := r.Any(mount.Clean(prefix)+"/*", api.serve)
	api.prefix = strings.TrimSuffix(routes[0].Path, "/*")
	api.handler = oaicompat.NewHandler(backend, mount.WithBasePath(opts, api.prefix)...)
	return api
}

// Prefix returns the full path the API is mounted at, e.g. "/api/v1": the
// base URL an OpenAI client needs, after the host.
func (a *API) Prefix() string { return a.prefix }

// serve hands the request to the handler, with echo's body-limit errors
// translated so that an oversized body answers 413 rather than 400, and
// flushes that cannot panic (see mount.SafeFlush).
func (a *API) serve(c echo.Context) error {
	r := c.Request()
	mount.TranslateBody(r, func(err error) error {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return toError(r, err)
		}
		return err
	})
	a.handler.ServeHTTP(mount.SafeFlush(c.Response()), r)
	return nil
}
