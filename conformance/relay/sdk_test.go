package relay_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/oaicompat/oaicompat/conformance/sdktest"
	"github.com/oaicompat/oaicompat/relay"
)

// SDK-driven tests of the relay: the official openai-go client talks to a
// relay in front of real upstreams (an oaicompat handler with a test
// backend, oaitest servers, the fault server of faultserver_test.go).

func sdkParams(model, prompt string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model:    model,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(prompt)},
	}
}

// TestSDKChatThroughRelay: a chat, non-streamed and streamed, through the
// relay reads like the upstream's answer; the relay names the upstream,
// counts one attempt and reports the upstream's usage to CallInfo (in the
// stream too, where the client did not ask for the usage chunk and gets
// none).
func TestSDKChatThroughRelay(t *testing.T) {
	t.Parallel()
	up := serveBackend(t, textBackend("Hello", ", ", "world"))
	s := serveRelay(t, []relay.Upstream{{Name: "local", BaseURL: up}})
	client := sdktest.Client(s.url)
	ctx := context.Background()

	var resp *http.Response
	c, err := client.Chat.Completions.New(ctx, sdkParams("any-model", "hi"), option.WithResponseInto(&resp))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Choices[0].Message.Content; got != "Hello, world" || c.Model != "any-model" || c.Choices[0].FinishReason != "stop" {
		t.Errorf("completion = %q model %q finish %q", got, c.Model, c.Choices[0].FinishReason)
	}
	if c.Usage.PromptTokens != 11 || c.Usage.CompletionTokens != 3 {
		t.Errorf("usage = %+v", c.Usage)
	}
	if resp.Header.Get(relay.HeaderUpstream) != "local" || resp.Header.Get(relay.HeaderAttempts) != "1" || resp.Header.Get(relay.HeaderOverhead) == "" {
		t.Errorf("headers = %v", resp.Header)
	}

	stream := client.Chat.Completions.NewStreaming(ctx, sdkParams("any-model", "hi"), option.WithResponseInto(&resp))
	var text strings.Builder
	chunks, usageChunks := 0, 0
	for stream.Next() {
		ch := stream.Current()
		chunks++
		if len(ch.Choices) == 0 {
			usageChunks++
			continue
		}
		text.WriteString(ch.Choices[0].Delta.Content)
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if text.String() != "Hello, world" || usageChunks != 0 {
		t.Errorf("stream text %q, %d usage chunks (the client did not ask)", text.String(), usageChunks)
	}
	if resp.Header.Get(relay.HeaderUpstream) != "local" {
		t.Errorf("stream headers = %v", resp.Header)
	}
	if ci := s.info.last(); ci == nil || ci.Usage.PromptTokens != 11 || ci.Usage.CompletionTokens != 3 {
		t.Errorf("CallInfo usage = %+v", ci)
	}
}

// TestSDKStreamUsage: with include_usage the client gets the upstream's
// usage in the usage chunk.
func TestSDKStreamUsage(t *testing.T) {
	t.Parallel()
	up := serveBackend(t, textBackend("a", "b"))
	s := serveRelay(t, []relay.Upstream{{BaseURL: up}})
	p := sdkParams("m", "hi")
	p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	client := sdktest.Client(s.url)
	stream := client.Chat.Completions.NewStreaming(context.Background(), p)
	var usage openai.CompletionUsage
	for stream.Next() {
		if ch := stream.Current(); len(ch.Choices) == 0 {
			usage = ch.Usage
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if usage.PromptTokens != 11 || usage.CompletionTokens != 2 || usage.TotalTokens != 13 {
		t.Errorf("usage = %+v", usage)
	}
}

// TestSDKForwardsUnknownFields: the upstream receives the client's body
// with only the model rewritten and, for a stream, include_usage added:
// vendor fields pass as sent.
func TestSDKForwardsUnknownFields(t *testing.T) {
	t.Parallel()
	f := newFaultServer(t, step{body: completionJSON("ok")}, step{events: textStream("ok"), done: true})
	s := serveRelay(t, []relay.Upstream{{BaseURL: f.URL(), Keys: []string{"sk-up"}, Models: map[string]string{"gpt-x": "vendor/model-x"}}})
	client := sdktest.Client(s.url)
	ctx := context.Background()
	extra := []option.RequestOption{option.WithJSONSet("top_k", 40), option.WithJSONSet("chat_template_kwargs", map[string]any{"enable_thinking": false})}
	if _, err := client.Chat.Completions.New(ctx, sdkParams("gpt-x", "hi"), extra...); err != nil {
		t.Fatal(err)
	}
	stream := client.Chat.Completions.NewStreaming(ctx, sdkParams("gpt-x", "hi"), extra...)
	for stream.Next() {
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	reqs := f.Requests()
	if len(reqs) != 2 || !allTo(reqs, "/v1/chat/completions") {
		t.Fatalf("requests = %+v", reqs)
	}
	for i, r := range reqs {
		var body map[string]json.RawMessage
		if err := json.Unmarshal(r.body, &body); err != nil {
			t.Fatal(err)
		}
		if string(body["model"]) != `"vendor/model-x"` || string(body["top_k"]) != "40" || string(body["chat_template_kwargs"]) != `{"enable_thinking":false}` {
			t.Errorf("request %d body = %s", i, r.body)
		}
		if got := r.header.Get("Authorization"); got != "Bearer sk-up" {
			t.Errorf("request %d Authorization = %q (the client's key must not pass)", i, got)
		}
		wantOpts := ""
		if i == 1 {
			wantOpts = `{"include_usage":true}`
		}
		if string(body["stream_options"]) != wantOpts {
			t.Errorf("request %d stream_options = %s, want %q", i, body["stream_options"], wantOpts)
		}
	}
}

// TestSDKErrorPassthrough: a 4xx from the upstream reaches the client at
// once and unchanged: status, type, code, param, message; no retry.
func TestSDKErrorPassthrough(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status          int
		typ, code, parm string
	}{
		{400, "invalid_request_error", "context_length_exceeded", "messages"},
		{404, "invalid_request_error", "model_not_found", ""},
		{413, "invalid_request_error", "request_too_large", ""},
		{422, "invalid_request_error", "", "tools[0]"},
	} {
		f := newFaultServer(t, step{status: tc.status, body: errorJSON(tc.typ, tc.code, tc.parm, "upstream says no")})
		s := serveRelay(t, []relay.Upstream{{BaseURL: f.URL()}})
		client := sdktest.Client(s.url)
		_, err := client.Chat.Completions.New(context.Background(), sdkParams("m", "hi"))
		e := sdktest.APIError(t, err, tc.status)
		if e.Type != tc.typ || e.Code != tc.code || e.Param != tc.parm || e.Message != "upstream says no" {
			t.Errorf("%d: error = %s", tc.status, e.RawJSON())
		}
		if n := len(f.Requests()); n != 1 {
			t.Errorf("%d: %d upstream requests, want 1 (never retried)", tc.status, n)
		}
	}
}

// TestSDKVendorFields: reasoning and vendor members of an upstream's
// deltas and messages reach the client (openai-go keeps them in the raw
// JSON and ExtraFields).
func TestSDKVendorFields(t *testing.T) {
	t.Parallel()
	f := newFaultServer(t,
		step{body: `{"id":"x","object":"chat.completion","created":1,"model":"up","choices":[{"index":0,"message":{"role":"assistant","content":"hi","reasoning":"because","citations":["https://a.example"]},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`},
		step{events: []string{
			chunkJSON(`{"role":"assistant","content":"","reasoning_content":"thinking"}`, ""),
			chunkJSON(`{"images":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}`, ""),
			chunkJSON(`{"content":"done"}`, "stop"),
		}, done: true})
	s := serveRelay(t, []relay.Upstream{{BaseURL: f.URL()}})
	client := sdktest.Client(s.url)
	c, err := client.Chat.Completions.New(context.Background(), sdkParams("m", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	msg := c.Choices[0].Message
	if msg.Content != "hi" || msg.JSON.ExtraFields["reasoning_content"].Raw() != `"because"` || msg.JSON.ExtraFields["citations"].Raw() != `["https://a.example"]` {
		t.Errorf("message = %s", msg.RawJSON())
	}
	stream := client.Chat.Completions.NewStreaming(context.Background(), sdkParams("m", "hi"))
	var raw []string
	for stream.Next() {
		for _, ch := range stream.Current().Choices {
			raw = append(raw, ch.Delta.RawJSON())
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	all := strings.Join(raw, "\n")
	if !strings.Contains(all, `"reasoning_content":"thinking"`) || !strings.Contains(all, `"images":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]`) {
		t.Errorf("deltas:\n%s", all)
	}
}
