package echov4_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/adapters/echov4"
)

// An echo v4 application gains the OpenAI API at /api/v1 beside its own
// routes; errors under /api/v1 come back in OpenAI's envelope, the others
// in echo's format.
func ExampleRegister() {
	backend := oaicompat.ChatFunc(func(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		return w.WriteText("You said: " + req.LastUserMessage())
	})

	e := echo.New()
	e.GET("/health", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	api := echov4.Register(e.Group("/api"), "/v1", backend)
	e.HTTPErrorHandler = api.ErrorHandler(e.HTTPErrorHandler)

	srv := httptest.NewServer(e)
	defer srv.Close()
	fmt.Println("base URL:", "http://host"+api.Prefix())
	show(http.Post(srv.URL+"/api/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`)))
	show(http.Get(srv.URL + "/api/v1"))
	show(http.Get(srv.URL + "/health"))
	show(http.Get(srv.URL + "/nope"))
	// Output:
	// base URL: http://host/api/v1
	// 200 You said: hi
	// 404 {"error":{"message":"Invalid URL (GET /api/v1)","type":"invalid_request_error","param":null,"code":null}}
	// 200 ok
	// 404 {"message":"Not Found"}
}

// show prints a response's status and body; for a chat completion, the
// reply's text only.
func show(res *http.Response, err error) {
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	var chat struct {
		Choices []struct{ Message struct{ Content string } }
	}
	if json.Unmarshal(body, &chat) == nil && len(chat.Choices) == 1 {
		fmt.Println(res.StatusCode, chat.Choices[0].Message.Content)
		return
	}
	fmt.Println(res.StatusCode, strings.TrimSpace(string(body)))
}
