// Command echo shows an existing echo v4 application gaining the OpenAI API
// at /llm/v1 beside its own routes, with oaicompat's echo v4 adapter:
//
//	go run ./examples/routers/echo
//	curl localhost:8080/llm/v1/chat/completions \
//	  -d '{"model":"any","messages":[{"role":"user","content":"hi"}]}'
//
// Errors under /llm/v1 (echo's 404 and 405, middleware errors, panics) come back
// in OpenAI's error envelope; the rest of the application keeps echo's.
package main

import (
	"context"
	"flag"
	"log"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/adapters/echov4"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	srv := oaicompat.NewServer(*addr, newApp(reply))
	log.Printf("OpenAI API at http://%s/llm/v1", *addr)
	log.Fatal(srv.ListenAndServe())
}

// existingApp stands for the application as it was before the OpenAI API.
func existingApp() *echo.Echo {
	e := echo.New()
	e.Use(middleware.Recover())
	e.GET("/", func(c echo.Context) error { return c.String(http.StatusOK, "welcome to the shop") })
	e.GET("/products/:id", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"id": c.Param("id")})
	})
	return e
}

// newApp adds the OpenAI API at /llm/v1 on an echo group: two lines.
// Register knows the group's prefix, and echo's own errors under it (404,
// 413, KeyAuth, Recover) come back in OpenAI's envelope.
func newApp(backend oaicompat.Backend) *echo.Echo {
	e := existingApp()
	api := echov4.Register(e.Group("/llm"), "/v1", backend)
	e.HTTPErrorHandler = api.ErrorHandler(e.HTTPErrorHandler)
	return e
}

// reply is the example's backend.
var reply = oaicompat.ChatFunc(func(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	return w.WriteText("echo says: " + req.LastUserMessage())
})
