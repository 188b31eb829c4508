package oaicompat_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/oaicompat/oaicompat"
)

// echoBackend is the smallest useful Backend: it answers with the last user
// message, reversed.
type echoBackend struct{}

func (echoBackend) Chat(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	in := []rune(req.LastUserMessage())
	for i, j := 0, len(in)-1; i < j; i, j = i+1, j-1 {
		in[i], in[j] = in[j], in[i]
	}
	w.SetUsage(oaicompat.Usage{PromptTokens: 1, CompletionTokens: 1})
	return w.WriteText(string(in))
}

// stable makes the examples' ids and timestamps reproducible.
var stable = []oaicompat.Option{
	oaicompat.WithIDGenerator(func(prefix string) string { return prefix + "example" }),
	oaicompat.WithClock(func() time.Time { return time.Unix(1700000000, 0) }),
}

func postJSON(url, body string) string {
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return fmt.Sprintf("%d %s", resp.StatusCode, b)
}

// A Backend becomes an OpenAI-compatible endpoint with one call; mount it
// like any http.Handler.
func ExampleNewHandler() {
	mux := http.NewServeMux()
	mux.Handle("/v1/", oaicompat.NewHandler(echoBackend{}, stable...))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	fmt.Println(postJSON(srv.URL+"/v1/chat/completions",
		`{"model":"echo","messages":[{"role":"user","content":"hello"}]}`))
	// Output:
	// 200 {"id":"chatcmpl-example","object":"chat.completion","created":1700000000,"model":"echo","choices":[{"index":0,"message":{"role":"assistant","content":"olleh","refusal":null,"annotations":[]},"finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}
}

// The same backend streams when the client asks for it: the handler turns
// the deltas into chat.completion.chunk events.
func ExampleNewHandler_streaming() {
	srv := httptest.NewServer(oaicompat.NewHandler(echoBackend{}, stable...))
	defer srv.Close()

	fmt.Println(postJSON(srv.URL+"/v1/chat/completions",
		`{"model":"echo","stream":true,"messages":[{"role":"user","content":"abc"}]}`))
	// Output:
	// 200 data: {"id":"chatcmpl-example","object":"chat.completion.chunk","created":1700000000,"model":"echo","choices":[{"index":0,"delta":{"role":"assistant","content":"cba"},"logprobs":null,"finish_reason":null}]}
	//
	// data: {"id":"chatcmpl-example","object":"chat.completion.chunk","created":1700000000,"model":"echo","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}
	//
	// data: [DONE]
}

// Bad input is answered before the backend runs, in OpenAI's error shape.
func ExampleNewHandler_validation() {
	srv := httptest.NewServer(oaicompat.NewHandler(echoBackend{}))
	defer srv.Close()

	fmt.Println(postJSON(srv.URL+"/v1/chat/completions",
		`{"model":"echo","messages":[{"role":"user","content":"hi"}],"temperature":7}`))
	// Output:
	// 400 {"error":{"message":"Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 7 instead.","type":"invalid_request_error","param":"temperature","code":"invalid_value"}}
}

// Under another router or a prefix, strip the prefix and keep the /v1 base
// path, or set the base path to match.
func ExampleWithBasePath() {
	mux := http.NewServeMux()
	mux.Handle("/llm/", http.StripPrefix("/llm", oaicompat.NewHandler(echoBackend{}, stable...)))
	mux.Handle("/ai/", oaicompat.NewHandler(echoBackend{}, append(stable, oaicompat.WithBasePath("/ai"))...))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	body := `{"model":"echo","messages":[{"role":"user","content":"ab"}]}`
	fmt.Println(postJSON(srv.URL+"/llm/v1/chat/completions", body)[:3])
	fmt.Println(postJSON(srv.URL+"/ai/chat/completions", body)[:3])
	// Output:
	// 200
	// 200
}

// ChatFunc turns a function into a Backend; tool calls are written whole or
// in fragments, and the finish reason follows what was written.
func ExampleChatFunc() {
	weather := oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		return w.WriteToolCall("call_1", "get_weather", `{"city":"Paris"}`)
	})
	srv := httptest.NewServer(oaicompat.NewHandler(weather, stable...))
	defer srv.Close()

	fmt.Println(postJSON(srv.URL+"/v1/chat/completions",
		`{"model":"m","messages":[{"role":"user","content":"weather?"}],"tools":[{"type":"function","function":{"name":"get_weather"}}]}`))
	// Output:
	// 200 {"id":"chatcmpl-example","object":"chat.completion","created":1700000000,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}],"annotations":[]},"finish_reason":"tool_calls","logprobs":null}],"usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}
}

// WriteError answers in the OpenAI envelope from any net/http code, such as
// an authentication middleware.
func ExampleWriteError() {
	rec := httptest.NewRecorder()
	oaicompat.WriteError(rec, &oaicompat.Error{Status: 401, Type: oaicompat.TypeInvalidRequest, Code: "invalid_api_key", Message: "Incorrect API key provided."})
	fmt.Print(rec.Code, " ", rec.Body.String())
	// Output:
	// 401 {"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}
}

// A Backend's *Error reaches the client as is, headers included.
func ExampleRateLimited() {
	limited := oaicompat.ChatFunc(func(context.Context, *oaicompat.ChatRequest, *oaicompat.ChatWriter) error {
		return oaicompat.RateLimited(1500*time.Millisecond, "Rate limit reached for requests per minute.")
	})
	srv := httptest.NewServer(oaicompat.NewHandler(limited))
	defer srv.Close()

	resp, _ := http.Post(srv.URL+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`))
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Retry-After-Ms"))
	// Output:
	// 429 2 1500
}
