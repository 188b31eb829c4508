package echov5_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/labstack/echo/v5"
	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/adapters/echov5"
)

// An echo v5 application gains the OpenAI API at /v1 behind a net/http
// middleware (any func(http.Handler) http.Handler, such as those of
// oaicompat's middleware package), which runs inside echo through
// echo.WrapMiddleware. The application's own routes keep echo's errors.
func ExampleRegister() {
	backend := oaicompat.ChatFunc(func(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		return w.WriteText("You said: " + req.LastUserMessage())
	})
	requireKey := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer sk-demo" {
				oaicompat.WriteError(w, &oaicompat.Error{Status: http.StatusUnauthorized, Type: oaicompat.TypeInvalidRequest, Code: "invalid_api_key", Message: "Incorrect API key provided."})
				return
			}
			next.ServeHTTP(w, r)
		})
	}

	e := echo.New()
	e.GET("/health", func(c *echo.Context) error { return c.String(http.StatusOK, "ok") })
	api := echov5.Register(e.Group("/v1", echo.WrapMiddleware(requireKey)), "", backend)
	e.HTTPErrorHandler = api.ErrorHandler(e.HTTPErrorHandler)

	srv := httptest.NewServer(e)
	defer srv.Close()
	chat := `{"model":"m","messages":[{"role":"user","content":"hi"}]}`
	send(srv.URL+"/v1/chat/completions", "sk-demo", chat)
	send(srv.URL+"/v1/chat/completions", "sk-wrong", chat)
	send(srv.URL+"/nope", "", "")
	// Output:
	// 200 You said: hi
	// 401 {"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}
	// 404 {"message":"Not Found"}
}

// send POSTs body with key and prints the status and the body; for a chat
// completion, the reply's text only.
func send(url, key, body string) {
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var completion struct {
		Choices []struct{ Message struct{ Content string } }
	}
	if json.Unmarshal(b, &completion) == nil && len(completion.Choices) == 1 {
		fmt.Println(res.StatusCode, completion.Choices[0].Message.Content)
		return
	}
	fmt.Println(res.StatusCode, strings.TrimSpace(string(b)))
}
