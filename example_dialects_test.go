package oaicompat_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/oaicompat/oaicompat"
)

// A chat-only Backend answers the Responses API too: the handler translates
// the request and shapes the answer as a Response.
func Example_responses() {
	backend := oaicompat.ChatFunc(func(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		return w.WriteText("Hello, " + req.LastUserMessage() + "!")
	})
	srv := httptest.NewServer(oaicompat.NewHandler(backend))
	defer srv.Close()

	res, err := http.Post(srv.URL+"/v1/responses", "application/json",
		strings.NewReader(`{"model":"any","input":"Responses"}`))
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	var resp struct {
		Object string
		Status string
		Output []struct {
			Type    string
			Content []struct{ Type, Text string }
		}
	}
	_ = json.NewDecoder(res.Body).Decode(&resp)
	fmt.Println(resp.Object, resp.Status, resp.Output[0].Type, resp.Output[0].Content[0].Type)
	fmt.Println(resp.Output[0].Content[0].Text)
	// Output:
	// response completed message output_text
	// Hello, Responses!
}

// WithAzure adds Azure OpenAI's URL shapes: the deployment in the path
// names the model.
func ExampleWithAzure() {
	backend := oaicompat.ChatFunc(func(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		return w.WriteText("model " + req.Model)
	})
	h := oaicompat.NewHandler(backend, oaicompat.WithAzure(func(deployment string) string {
		return map[string]string{"prod": "gpt-4o"}[deployment] // "" answers 404 DeploymentNotFound
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()

	req, _ := http.NewRequest("POST", srv.URL+"/openai/deployments/prod/chat/completions?api-version=2024-10-21",
		strings.NewReader(`{"messages":[{"role":"user","content":"hi"}]}`))
	req.Header.Set("api-key", "secret")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Println(res.StatusCode, strings.Contains(string(body), `"content":"model gpt-4o"`))
	// Output:
	// 200 true
}
