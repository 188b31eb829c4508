package adaptertest

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/conformance/sdktest"
	"github.com/oaicompat/oaicompat/middleware"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// whoAmI answers with the key id the project's Auth middleware put in the
// request context.
var whoAmI = oaicompat.ChatFunc(func(ctx context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	return w.WriteText("key id " + middleware.KeyIDFromContext(ctx))
})

// testOurMiddleware runs this project's own net/http middleware (request id,
// auth, rate limit) inside the router, through its net/http wrapper, and
// checks what the official client sees: the identity reaches the backend,
// a wrong key is OpenAI's 401, the rate limit OpenAI's 429 with headers.
func testOurMiddleware(t *testing.T, h Harness) {
	s := Setup{Group: "/mw", Prefix: "/v1", Backend: whoAmI, Middleware: []func(http.Handler) http.Handler{
		middleware.RequestID(),
		middleware.Auth(middleware.StaticKeys(map[string]string{apiKey: "alice"})),
		middleware.RateLimit(middleware.Limits{Requests: 2}),
	}}
	_, base := start(t, h, s)
	c := sdktest.Client(base)
	var resp *http.Response
	got, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: "m", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	}, option.WithResponseInto(&resp))
	if err != nil {
		t.Fatal(err)
	}
	if got.Choices[0].Message.Content != "key id alice" {
		t.Errorf("backend saw %q", got.Choices[0].Message.Content)
	}
	if resp.Header.Get("x-request-id") == "" || resp.Header.Get("x-ratelimit-limit-requests") != "2" {
		t.Errorf("headers %v", resp.Header)
	}

	_, err = c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: "m", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	}, option.WithAPIKey("sk-wrong-key-0123456789"))
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || apiErr.Code != "invalid_api_key" {
		t.Errorf("wrong key: %v", err)
	}

	_ = sdktest.Chat(t, c, "second") // the limit is 2 requests per minute
	_, err = c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: "m", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("third")},
	}, option.WithMaxRetries(0))
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.Code != "rate_limit_exceeded" ||
		apiErr.Response.Header.Get("Retry-After") == "" {
		t.Errorf("over the limit: %v", err)
	}
}
