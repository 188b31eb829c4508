package oaicompat_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"testing"

	"github.com/oaicompat/oaicompat"
	goopenai "github.com/sashabaranov/go-openai"
)

// These tests drive the handler with github.com/sashabaranov/go-openai, the
// most used community client, over a real loopback listener.

func TestCommunityChatAndStream(t *testing.T) {
	t.Parallel()
	c := communityClient(serve(t, oaicompat.NewHandler(newTestBackend())))
	req := goopenai.ChatCompletionRequest{Model: "test-model", Messages: []goopenai.ChatCompletionMessage{{Role: "user", Content: "hi"}}}
	got, err := c.CreateChatCompletion(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got.Choices[0].Message.Content != "Hello, world!" || got.Choices[0].FinishReason != goopenai.FinishReasonStop || got.Usage.TotalTokens != 10 {
		t.Errorf("completion %+v", got)
	}

	req.Stream = true
	req.StreamOptions = &goopenai.StreamOptions{IncludeUsage: true}
	stream, err := c.CreateChatCompletionStream(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	var text string
	var finish goopenai.FinishReason
	var usage *goopenai.Usage
	ids := map[string]bool{}
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ids[chunk.ID] = true
		if chunk.Usage != nil {
			usage = chunk.Usage
		}
		for _, ch := range chunk.Choices {
			text += ch.Delta.Content
			if ch.FinishReason != "" {
				finish = ch.FinishReason
			}
		}
	}
	if text != "Hello, world!" || finish != goopenai.FinishReasonStop || usage == nil || usage.TotalTokens != 10 || len(ids) != 1 {
		t.Errorf("stream text %q finish %q usage %+v ids %v", text, finish, usage, ids)
	}
}

func TestCommunityStreamedToolCalls(t *testing.T) {
	t.Parallel()
	c := communityClient(serve(t, oaicompat.NewHandler(newTestBackend())))
	stream, err := c.CreateChatCompletionStream(context.Background(), goopenai.ChatCompletionRequest{
		Model: "test-model", Stream: true,
		Messages: []goopenai.ChatCompletionMessage{{Role: "user", Content: "tools"}},
		Tools:    []goopenai.Tool{{Type: goopenai.ToolTypeFunction, Function: &goopenai.FunctionDefinition{Name: "get_weather"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	type call struct{ id, name, args string }
	var calls []call
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range chunk.Choices[0].Delta.ToolCalls {
			if tc.Index == nil {
				t.Fatal("tool call fragment without index")
			}
			i := *tc.Index
			if i == len(calls) {
				calls = append(calls, call{})
			}
			calls[i].id += tc.ID
			calls[i].name += tc.Function.Name
			calls[i].args += tc.Function.Arguments
		}
	}
	want := []call{{"call_0", "get_weather", `{"city":"Paris"}`}, {"call_1", "get_weather", `{"city":"Tokyo"}`}}
	if len(calls) != 2 || calls[0] != want[0] || calls[1] != want[1] {
		t.Errorf("calls %+v, want %+v", calls, want)
	}
}

func TestCommunityEmbeddingsBase64EqualsFloat(t *testing.T) {
	t.Parallel()
	c := communityClient(serve(t, oaicompat.NewHandler(newTestBackend())))
	get := func(format goopenai.EmbeddingEncodingFormat) goopenai.EmbeddingResponse {
		res, err := c.CreateEmbeddings(context.Background(), goopenai.EmbeddingRequest{
			Model: "test-model", Input: []string{"x", "y", "z"}, EncodingFormat: format, Dimensions: 1536,
		})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	f, b := get(goopenai.EmbeddingEncodingFormatFloat), get(goopenai.EmbeddingEncodingFormatBase64)
	if len(f.Data) != 3 || len(b.Data) != 3 {
		t.Fatalf("%d and %d embeddings", len(f.Data), len(b.Data))
	}
	for i := range f.Data {
		if len(f.Data[i].Embedding) != 1536 || len(b.Data[i].Embedding) != 1536 {
			t.Fatalf("dimensions %d / %d", len(f.Data[i].Embedding), len(b.Data[i].Embedding))
		}
		for j := range f.Data[i].Embedding {
			if f.Data[i].Embedding[j] != b.Data[i].Embedding[j] {
				t.Fatalf("vector %d[%d]: float %v != base64 %v", i, j, f.Data[i].Embedding[j], b.Data[i].Embedding[j])
			}
		}
	}
}

func TestCommunityModelsAndImages(t *testing.T) {
	t.Parallel()
	c := communityClient(serve(t, oaicompat.NewHandler(newTestBackend())))
	list, err := c.ListModels(context.Background())
	if err != nil || len(list.Models) != 3 || list.Models[0].ID != "test-model" {
		t.Fatalf("models %+v %v", list, err)
	}
	m, err := c.GetModel(context.Background(), "test-model")
	if err != nil || m.ID != "test-model" || m.Object != "model" {
		t.Fatalf("model %+v %v", m, err)
	}
	img, err := c.CreateImage(context.Background(), goopenai.ImageRequest{Prompt: "a dog", ResponseFormat: goopenai.CreateImageResponseFormatB64JSON, Size: "512x512"})
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := base64.StdEncoding.DecodeString(img.Data[0].B64JSON); string(raw) != string(tinyPNG) {
		t.Errorf("image %+v", img.Data)
	}
	img, err = c.CreateImage(context.Background(), goopenai.ImageRequest{Prompt: "a dog", ResponseFormat: goopenai.CreateImageResponseFormatURL})
	if err != nil || img.Data[0].URL != "https://images.example/0.png" {
		t.Errorf("url image %+v %v", img.Data, err)
	}
}

func TestCommunityErrors(t *testing.T) {
	t.Parallel()
	c := communityClient(serve(t, oaicompat.NewHandler(newTestBackend())))
	tests := []struct {
		name      string
		req       goopenai.ChatCompletionRequest
		status    int
		typ, code string
		param     string
	}{
		{"bad role", goopenai.ChatCompletionRequest{Model: "m", Messages: []goopenai.ChatCompletionMessage{{Role: "robot", Content: "x"}}},
			400, "invalid_request_error", "invalid_value", "messages[0].role"},
		{"tool message without id", goopenai.ChatCompletionRequest{Model: "m", Messages: []goopenai.ChatCompletionMessage{{Role: "tool", Content: "x"}}},
			400, "invalid_request_error", "", "messages[0].tool_call_id"},
		{"rate limited", goopenai.ChatCompletionRequest{Model: "m", Messages: []goopenai.ChatCompletionMessage{{Role: "user", Content: "rate-limit"}}},
			429, "requests", "rate_limit_exceeded", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.CreateChatCompletion(context.Background(), tt.req)
			var apiErr *goopenai.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("got %v, want *APIError", err)
			}
			code, _ := apiErr.Code.(string)
			param := ""
			if apiErr.Param != nil {
				param = *apiErr.Param
			}
			if apiErr.HTTPStatusCode != tt.status || apiErr.Type != tt.typ || code != tt.code || param != tt.param {
				t.Errorf("got %d %q %q %q, want %d %q %q %q", apiErr.HTTPStatusCode, apiErr.Type, code, param, tt.status, tt.typ, tt.code, tt.param)
			}
		})
	}
}
