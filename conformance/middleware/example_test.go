package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
	"github.com/oaicompat/oaicompat/telemetry"
)

// Example_chain puts the whole production stack in front of an
// oaicompat.Handler, in the recommended order, and calls it with the
// official client: the backend learns who called, and the response carries
// the rate-limit headers.
func Example_chain() {
	backend := oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		w.SetUsage(oaicompat.Usage{PromptTokens: 9, CompletionTokens: 2, TotalTokens: 11})
		return w.WriteText("Hello, " + middleware.KeyIDFromContext(ctx) + "!")
	})
	logger := slog.New(slog.DiscardHandler) // slog.Default() in a real server

	chain := middleware.Chain(
		middleware.RequestID(),
		telemetry.OTel(), // the global OpenTelemetry providers
		middleware.AccessLog(logger),
		middleware.Recovery(logger),
		middleware.CORS(middleware.WithOrigins("https://playground.example")),
		middleware.BodyLimit(4<<20),
		middleware.Auth(middleware.StaticKeys(map[string]string{"sk-demo-key": "alice"})),
		middleware.RateLimit(middleware.Limits{Requests: 60, Tokens: 40_000}),
		middleware.Timeout(5*time.Minute),
	)
	mux := http.NewServeMux()
	mux.Handle("/v1/", chain(oaicompat.NewHandler(backend)))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	client := openai.NewClient(option.WithBaseURL(srv.URL+"/v1/"), option.WithAPIKey("sk-demo-key"))
	params := openai.ChatCompletionNewParams{
		Model:    "demo",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Hi!")},
	}
	var resp *http.Response
	completion, err := client.Chat.Completions.New(context.Background(), params, option.WithResponseInto(&resp))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(completion.Choices[0].Message.Content)
	fmt.Println("requests left this minute:", resp.Header.Get("x-ratelimit-remaining-requests"))

	// A wrong key gets OpenAI's 401, which the SDK turns into an *openai.Error.
	bad := openai.NewClient(option.WithBaseURL(srv.URL+"/v1/"), option.WithAPIKey("sk-wrong-key-123"))
	_, err = bad.Chat.Completions.New(context.Background(), params)
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.Message)
	}
	// Output:
	// Hello, alice!
	// requests left this minute: 59
	// 401 invalid_api_key Incorrect API key provided: sk-w********-123.
}
