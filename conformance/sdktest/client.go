// Package sdktest drives an OpenAI API mounted in a host application with
// the official openai-go client, for the tests of the router adapters and of
// the examples: one chat call streamed and not, an assertion on the error the
// SDK returns, and a backend that proves a stream is flushed event by event.
package sdktest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// Model is the model name the helpers send.
const Model = "test-model"

// Timeout bounds every call the helpers make, so that a response that never
// arrives (a stream that is not flushed, say) fails the test instead of
// hanging it.
const Timeout = 30 * time.Second

// Client returns an openai-go client for baseURL (the API's base, e.g.
// "http://127.0.0.1:1234/v1") with API key "sk-test" unless opts say
// otherwise, and no retries, so that an error status reaches the test at once.
func Client(baseURL string, opts ...option.RequestOption) openai.Client {
	base := []option.RequestOption{
		option.WithBaseURL(baseURL),
		option.WithAPIKey("sk-test"),
		option.WithMaxRetries(0),
	}
	return openai.NewClient(append(base, opts...)...)
}

// Params returns the chat request the helpers send: prompt as the only user
// message.
func Params(prompt string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model:    Model,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(prompt)},
	}
}

// Chat sends prompt non-streamed and returns the reply's text. It fails t on
// any error, or unless the reply is one chat.completion with one choice.
func Chat(t testing.TB, c openai.Client, prompt string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	res, err := c.Chat.Completions.New(ctx, Params(prompt))
	if err != nil {
		t.Fatalf("chat %q: %v", prompt, err)
	}
	if res.Object != "chat.completion" || len(res.Choices) != 1 {
		t.Fatalf("chat %q: object %q with %d choices, want one chat.completion choice", prompt, res.Object, len(res.Choices))
	}
	return res.Choices[0].Message.Content
}

// Stream sends prompt streamed and returns the text of its deltas, joined.
// It fails t on any error, or unless the stream ends with a finish reason.
func Stream(t testing.TB, c openai.Client, prompt string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	stream := c.Chat.Completions.NewStreaming(ctx, Params(prompt))
	defer stream.Close()
	var text strings.Builder
	finish := ""
	for stream.Next() {
		for _, ch := range stream.Current().Choices {
			text.WriteString(ch.Delta.Content)
			if ch.FinishReason != "" {
				finish = ch.FinishReason
			}
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("stream %q: %v", prompt, err)
	}
	if finish == "" {
		t.Fatalf("stream %q: no chunk carried a finish_reason", prompt)
	}
	return text.String()
}

// APIError returns the *openai.Error in err, failing t unless there is one
// with the given status.
func APIError(t testing.TB, err error, status int) *openai.Error {
	t.Helper()
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("got error %v, want an *openai.Error with status %d", err, status)
	}
	if apiErr.StatusCode != status {
		t.Fatalf("got status %d (%s), want %d", apiErr.StatusCode, apiErr.RawJSON(), status)
	}
	return apiErr
}
