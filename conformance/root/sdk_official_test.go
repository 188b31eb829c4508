package oaicompat_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/param"
	"github.com/openai/openai-go/v3/shared"
)

// These tests drive the handler with the official openai-go client over a
// real loopback listener and assert on what the SDK hands its caller.

func TestOfficialChat(t *testing.T) {
	t.Parallel()
	c := officialClient(serve(t, oaicompat.NewHandler(newTestBackend())))
	got, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: "test-model", Messages: userMsg("hi"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Object != "chat.completion" || got.Model != "test-model" || len(got.Choices) != 1 {
		t.Fatalf("unexpected completion %+v", got)
	}
	ch := got.Choices[0]
	if ch.Message.Content != "Hello, world!" || ch.FinishReason != "stop" || ch.Message.Role != "assistant" {
		t.Errorf("choice = %+v", ch)
	}
	if got.Usage.PromptTokens != 7 || got.Usage.CompletionTokens != 3 || got.Usage.TotalTokens != 10 {
		t.Errorf("usage = %+v", got.Usage)
	}
}

func TestOfficialChatStreamAccumulates(t *testing.T) {
	t.Parallel()
	c := officialClient(serve(t, oaicompat.NewHandler(newTestBackend())))
	stream := c.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
		Model: "test-model", Messages: userMsg("hi"),
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	})
	var acc openai.ChatCompletionAccumulator
	chunks, usageChunks := 0, 0
	for stream.Next() {
		chunk := stream.Current()
		if !acc.AddChunk(chunk) {
			t.Fatalf("accumulator rejected chunk %s", chunk.RawJSON())
		}
		chunks++
		if len(chunk.Choices) == 0 {
			usageChunks++
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if chunks < 4 || usageChunks != 1 {
		t.Errorf("chunks=%d usage chunks=%d", chunks, usageChunks)
	}
	if got := acc.Choices[0].Message.Content; got != "Hello, world!" {
		t.Errorf("accumulated content %q", got)
	}
	if acc.Choices[0].FinishReason != "stop" {
		t.Errorf("finish reason %q", acc.Choices[0].FinishReason)
	}
	if acc.Usage.TotalTokens != 10 {
		t.Errorf("usage %+v", acc.Usage)
	}
}

func TestOfficialParallelToolCallsStreamed(t *testing.T) {
	t.Parallel()
	c := officialClient(serve(t, oaicompat.NewHandler(newTestBackend())))
	params := openai.ChatCompletionNewParams{
		Model: "test-model", Messages: userMsg("use tools please"),
		Tools: []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name:       "get_weather",
			Parameters: shared.FunctionParameters{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}},
		})},
	}
	check := func(t *testing.T, calls []openai.ChatCompletionMessageToolCallUnion, finish string) {
		t.Helper()
		if finish != "tool_calls" {
			t.Errorf("finish_reason %q", finish)
		}
		if len(calls) != 2 {
			t.Fatalf("got %d tool calls, want 2", len(calls))
		}
		for i, want := range []string{"Paris", "Tokyo"} {
			var args struct{ City string }
			if err := json.Unmarshal([]byte(calls[i].Function.Arguments), &args); err != nil {
				t.Fatalf("call %d arguments %q: %v", i, calls[i].Function.Arguments, err)
			}
			if args.City != want || calls[i].Function.Name != "get_weather" || calls[i].ID == "" {
				t.Errorf("call %d = %+v", i, calls[i])
			}
		}
	}
	t.Run("stream", func(t *testing.T) {
		acc := accumulate(t, c, params)
		check(t, acc.Choices[0].Message.ToolCalls, acc.Choices[0].FinishReason)
		if acc.Choices[0].Message.Content != "" {
			t.Errorf("content %q, want none", acc.Choices[0].Message.Content)
		}
	})
	t.Run("non-stream", func(t *testing.T) {
		got, err := c.Chat.Completions.New(context.Background(), params)
		if err != nil {
			t.Fatal(err)
		}
		check(t, got.Choices[0].Message.ToolCalls, got.Choices[0].FinishReason)
		if got.Choices[0].Message.JSON.Content.Raw() != "null" {
			t.Errorf("content should be null for a tool-calls-only reply, got %s", got.Choices[0].Message.JSON.Content.Raw())
		}
	})
}

func TestOfficialMultipleChoices(t *testing.T) {
	t.Parallel()
	c := officialClient(serve(t, oaicompat.NewHandler(newTestBackend())))
	params := openai.ChatCompletionNewParams{Model: "test-model", Messages: userMsg("hi"), N: openai.Int(2)}
	want := []string{"Hello, world!", "Hello, world! (choice 1)"}
	got, err := c.Chat.Completions.New(context.Background(), params)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Choices) != 2 {
		t.Fatalf("%d choices", len(got.Choices))
	}
	for i, ch := range got.Choices {
		if ch.Index != int64(i) || ch.Message.Content != want[i] {
			t.Errorf("choice %d = %d %q", i, ch.Index, ch.Message.Content)
		}
	}
	if got.Usage.PromptTokens != 7 || got.Usage.CompletionTokens != 6 {
		t.Errorf("usage %+v: prompt counted once, completions summed", got.Usage)
	}
	acc := accumulate(t, c, params)
	for i := range want {
		if acc.Choices[i].Message.Content != want[i] || acc.Choices[i].FinishReason != "stop" {
			t.Errorf("streamed choice %d = %q %q", i, acc.Choices[i].Message.Content, acc.Choices[i].FinishReason)
		}
	}
}

func TestOfficialEmbeddingsFloatAndBase64(t *testing.T) {
	t.Parallel()
	c := officialClient(serve(t, oaicompat.NewHandler(newTestBackend())))
	get := func(format openai.EmbeddingNewParamsEncodingFormat) *openai.CreateEmbeddingResponse {
		res, err := c.Embeddings.New(context.Background(), openai.EmbeddingNewParams{
			Model:          "test-model",
			Input:          openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"a", "b"}},
			EncodingFormat: format,
			Dimensions:     openai.Int(5),
		})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	f, b := get(openai.EmbeddingNewParamsEncodingFormatFloat), get(openai.EmbeddingNewParamsEncodingFormatBase64)
	if b.Data[0].JSON.Embedding.Raw()[0] != '"' {
		t.Fatalf("base64 request did not get a base64 string: %s", b.Data[0].JSON.Embedding.Raw())
	}
	if len(f.Data) != 2 || len(f.Data[1].Embedding) != 5 || f.Usage.PromptTokens != 2 {
		t.Fatalf("float response %+v", f)
	}
	for i := range f.Data {
		if f.Data[i].Index != int64(i) {
			t.Errorf("index %d", f.Data[i].Index)
		}
		for j := range f.Data[i].Embedding {
			if float32(f.Data[i].Embedding[j]) != float32(b.Data[i].Embedding[j]) {
				t.Errorf("vector %d[%d]: float %v != base64 %v", i, j, f.Data[i].Embedding[j], b.Data[i].Embedding[j])
			}
		}
	}
}

func TestOfficialModels(t *testing.T) {
	t.Parallel()
	c := officialClient(serve(t, oaicompat.NewHandler(newTestBackend())))
	page, err := c.Models.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Data) != 3 || page.Data[0].ID != "test-model" || page.Data[0].OwnedBy != "tests" || page.Data[1].OwnedBy != "system" {
		t.Fatalf("models %+v", page.Data)
	}
	m, err := c.Models.Get(context.Background(), "org/model-with-slash")
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != "org/model-with-slash" || m.Created != 1700000001 {
		t.Errorf("model %+v", m)
	}
	_, err = c.Models.Get(context.Background(), "nope")
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.Code != "model_not_found" {
		t.Errorf("unknown model: %v", err)
	}
}

func TestOfficialImages(t *testing.T) {
	t.Parallel()
	c := officialClient(serve(t, oaicompat.NewHandler(newTestBackend())))
	b64, err := c.Images.Generate(context.Background(), openai.ImageGenerateParams{
		Prompt: "a cat", N: openai.Int(2), ResponseFormat: openai.ImageGenerateParamsResponseFormatB64JSON, Size: "256x256",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(b64.Data) != 2 {
		t.Fatalf("%d images", len(b64.Data))
	}
	if raw, err := base64.StdEncoding.DecodeString(b64.Data[0].B64JSON); err != nil || string(raw) != string(tinyPNG) || b64.Data[0].URL != "" {
		t.Errorf("b64 image %+v (%v)", b64.Data[0], err)
	}
	url, err := c.Images.Generate(context.Background(), openai.ImageGenerateParams{Prompt: "a cat"})
	if err != nil {
		t.Fatal(err)
	}
	if len(url.Data) != 1 || url.Data[0].URL != "https://images.example/0.png" || url.Data[0].B64JSON != "" {
		t.Errorf("url image %+v", url.Data)
	}
}

func TestOfficialErrors(t *testing.T) {
	t.Parallel()
	c := officialClient(serve(t, oaicompat.NewHandler(newTestBackend())))
	tests := []struct {
		name                string
		params              openai.ChatCompletionNewParams
		status              int
		typ, code, param    string
		retryAfter, message string
	}{
		{"validation", openai.ChatCompletionNewParams{Model: "m", Messages: userMsg("hi"), Temperature: openai.Float(3)},
			400, "invalid_request_error", "invalid_value", "temperature", "", ""},
		{"backend typed error", openai.ChatCompletionNewParams{Model: "m", Messages: userMsg("rate-limit")},
			429, "requests", "rate_limit_exceeded", "", "2", "Rate limit reached for requests"},
		{"backend plain error is hidden", openai.ChatCompletionNewParams{Model: "m", Messages: userMsg("secret-failure")},
			500, "server_error", "", "", "", "The server had an error while processing your request. Sorry about that!"},
		{"panic", openai.ChatCompletionNewParams{Model: "m", Messages: userMsg("panic")},
			500, "server_error", "", "", "", "The server had an error while processing your request. Sorry about that!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Chat.Completions.New(context.Background(), tt.params)
			var apiErr *openai.Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("got %v, want *openai.Error", err)
			}
			if apiErr.StatusCode != tt.status || apiErr.Type != tt.typ || apiErr.Code != tt.code || apiErr.Param != tt.param {
				t.Errorf("got %d %q %q %q, want %d %q %q %q", apiErr.StatusCode, apiErr.Type, apiErr.Code, apiErr.Param,
					tt.status, tt.typ, tt.code, tt.param)
			}
			if tt.message != "" && apiErr.Message != tt.message {
				t.Errorf("message %q", apiErr.Message)
			}
			if got := apiErr.Response.Header.Get("Retry-After"); got != tt.retryAfter {
				t.Errorf("Retry-After %q, want %q", got, tt.retryAfter)
			}
		})
	}
	t.Run("mid-stream error is raised by the stream", func(t *testing.T) {
		stream := c.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{Model: "m", Messages: userMsg("fail-late")})
		n := 0
		for stream.Next() {
			n++
		}
		// openai-go raises in-band errors as a plain error quoting the event.
		if err := stream.Err(); err == nil || !strings.Contains(err.Error(), `{"message":"the model crashed","type":"server_error","param":null,"code":null}`) {
			t.Fatalf("stream error %v", err)
		}
		if n != 1 {
			t.Errorf("%d chunks before the error, want 1", n)
		}
	})
	t.Run("stream error before output is an HTTP error", func(t *testing.T) {
		stream := c.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{Model: "m", Messages: userMsg("rate-limit")})
		for stream.Next() {
			t.Fatal("no chunk expected")
		}
		var apiErr *openai.Error
		if !errors.As(stream.Err(), &apiErr) || apiErr.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("stream error %v", stream.Err())
		}
	})
}

func TestOfficialLogprobs(t *testing.T) {
	t.Parallel()
	c := officialClient(serve(t, oaicompat.NewHandler(newTestBackend())))
	params := openai.ChatCompletionNewParams{Model: "m", Messages: userMsg("logprobs"), Logprobs: openai.Bool(true), TopLogprobs: openai.Int(2)}
	check := func(t *testing.T, lps []openai.ChatCompletionTokenLogprob) {
		t.Helper()
		if len(lps) != 1 || lps[0].Token != "Yes" || lps[0].Logprob != -0.5 || len(lps[0].TopLogprobs) != 2 || lps[0].TopLogprobs[1].Token != "No" {
			t.Errorf("logprobs %+v", lps)
		}
	}
	got, err := c.Chat.Completions.New(context.Background(), params)
	if err != nil {
		t.Fatal(err)
	}
	check(t, got.Choices[0].Logprobs.Content)
	acc := accumulate(t, c, params)
	check(t, acc.Choices[0].Logprobs.Content)

	// Without logprobs:true nothing leaks onto the wire.
	params.Logprobs = openai.Bool(false)
	params.TopLogprobs = param.Opt[int64]{}
	got, err = c.Chat.Completions.New(context.Background(), params)
	if err != nil {
		t.Fatal(err)
	}
	if got.Choices[0].JSON.Logprobs.Raw() != "null" {
		t.Errorf("logprobs sent unasked: %s", got.Choices[0].JSON.Logprobs.Raw())
	}
}

// TestPerEndpointHandlers mounts the endpoint handlers on a router of the
// user's own, with paths of the user's choosing.
func TestPerEndpointHandlers(t *testing.T) {
	t.Parallel()
	h := oaicompat.NewHandler(newTestBackend())
	mux := http.NewServeMux()
	mux.Handle("POST /api/chat", h.ChatCompletions())
	mux.Handle("POST /api/embed", h.Embeddings())
	mux.Handle("POST /api/respond", h.Responses())
	mux.Handle("POST /api/complete", h.Completions())
	mux.Handle("POST /api/images", h.ImageGenerations())
	mux.Handle("GET /api/models", h.ListModels())
	mux.Handle("GET /api/model/{model...}", h.GetModel())
	mux.Handle("GET /api/by-segment/", h.GetModel()) // no path value: last segment
	srv := serve(t, mux)
	if status, _, body := post(t, srv.URL+"/api/chat", `{"model":"m","messages":[{"role":"user","content":"hi"}]}`); status != 200 || !strings.Contains(body, "Hello, world!") {
		t.Errorf("chat: %d %s", status, body)
	}
	if status, _, body := post(t, srv.URL+"/api/respond", `{"model":"m","input":"hi","store":false}`); status != 200 || !strings.Contains(body, `"object":"response"`) {
		t.Errorf("responses: %d %s", status, body)
	}
	if status, _, body := post(t, srv.URL+"/api/complete", `{"model":"m","prompt":"hi"}`); status != 200 || !strings.Contains(body, `"object":"text_completion"`) {
		t.Errorf("completions: %d %s", status, body)
	}
	if status, _, body := post(t, srv.URL+"/api/embed", `{"model":"m","input":"x"}`); status != 200 || !strings.Contains(body, `"object":"embedding"`) {
		t.Errorf("embed: %d %s", status, body)
	}
	if status, _, body := post(t, srv.URL+"/api/images", `{"prompt":"p","response_format":"b64_json"}`); status != 200 || !strings.Contains(body, "b64_json") {
		t.Errorf("images: %d %s", status, body)
	}
	for path, want := range map[string]string{
		"/api/models":                     `"object":"list"`,
		"/api/model/org/model-with-slash": `"id":"org/model-with-slash"`,
		"/api/by-segment/test-model":      `"id":"test-model"`,
	} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b := new(strings.Builder)
		_, _ = io.Copy(b, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(b.String(), want) {
			t.Errorf("%s: %d %s", path, resp.StatusCode, b)
		}
	}
}

// accumulate streams params through openai-go's own accumulator.
func accumulate(t *testing.T, c openai.Client, params openai.ChatCompletionNewParams) openai.ChatCompletionAccumulator {
	t.Helper()
	stream := c.Chat.Completions.NewStreaming(context.Background(), params)
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		if !acc.AddChunk(stream.Current()) {
			t.Fatalf("accumulator rejected chunk %s", stream.Current().RawJSON())
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	return acc
}
