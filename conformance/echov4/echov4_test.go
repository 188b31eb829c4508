package echov4_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/oaicompat/oaicompat/adapters/echov4"
	"github.com/oaicompat/oaicompat/conformance/adaptertest"
)

// TestAdapter runs the suite shared with the echo v5 adapter.
func TestAdapter(t *testing.T) {
	adaptertest.Run(t, adaptertest.Harness{
		App:              app,
		MissingKeyStatus: http.StatusBadRequest, // echo v4's KeyAuth: "missing key in request header"
	})
}

// app builds the host application adaptertest.Setup describes with echo v4.
func app(_ *testing.T, s adaptertest.Setup) http.Handler {
	e := echo.New()
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true}))
	e.GET("/health", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.GET("/boom", func(echo.Context) error { panic("host panic") })
	e.GET("/teapot", func(echo.Context) error { return echo.NewHTTPError(http.StatusTeapot, "short and stout") })
	var r echov4.Router = e
	if s.Group != "" {
		var mw []echo.MiddlewareFunc
		if s.APIKey != "" {
			mw = append(mw, middleware.KeyAuth(func(key string, _ echo.Context) (bool, error) { return key == s.APIKey, nil }))
		}
		if s.BodyLimit > 0 {
			mw = append(mw, middleware.BodyLimit(strconv.FormatInt(s.BodyLimit, 10)))
		}
		for _, m := range s.Middleware {
			mw = append(mw, echo.WrapMiddleware(m))
		}
		g := e.Group(s.Group, mw...)
		g.GET("/status", func(c echo.Context) error { return c.String(http.StatusOK, "group ok") })
		r = g
	}
	if s.Backend != nil {
		api := echov4.Register(r, s.Prefix, s.Backend, s.Options...)
		e.HTTPErrorHandler = api.ErrorHandler(e.HTTPErrorHandler)
	}
	return e
}
