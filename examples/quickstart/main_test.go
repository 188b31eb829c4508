package main

import (
	"context"
	"encoding/base64"
	"image"
	"image/png"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"
)

// startDemo serves the quickstart's mux on loopback and returns an openai-go
// client for it.
func startDemo(t *testing.T) (*httptest.Server, openai.Client) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	srv.Config.Handler = newMux("http://"+srv.Listener.Addr().String(), 0)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, openai.NewClient(option.WithBaseURL(srv.URL+"/v1"), option.WithAPIKey("demo"), option.WithMaxRetries(0))
}

func TestAnswer(t *testing.T) {
	for in, want := range map[string]string{
		"What is 2+2?":      "2+2 equals 4.",
		"and 10 - 3":        "10-3 equals 7.",
		"6*7":               "6*7 equals 42.",
		"7/2 please":        "7/2 equals 3.5.",
		"1/0":               "1/0 is undefined: division by zero.",
		"tell me a story":   "You said: tell me a story",
		"":                  "Hello! Ask me some arithmetic, like: What is 2+2?",
		"what is -5 + -3 ?": "-5+-3 equals -8.",
	} {
		if got := answer(in); got != want {
			t.Errorf("answer(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDemoChat(t *testing.T) {
	_, c := startDemo(t)
	ctx := context.Background()
	params := openai.ChatCompletionNewParams{Model: chatModel, Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What is 2+2?")}}
	got, err := c.Chat.Completions.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if got.Choices[0].Message.Content != "2+2 equals 4." || got.Usage.PromptTokens != 3 || got.Usage.CompletionTokens != 3 {
		t.Errorf("completion %q usage %+v", got.Choices[0].Message.Content, got.Usage)
	}
	stream := c.Chat.Completions.NewStreaming(ctx, params)
	var acc openai.ChatCompletionAccumulator
	chunks := 0
	for stream.Next() {
		acc.AddChunk(stream.Current())
		chunks++
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if acc.Choices[0].Message.Content != "2+2 equals 4." || chunks != 4 { // 3 words + final chunk
		t.Errorf("streamed %q in %d chunks", acc.Choices[0].Message.Content, chunks)
	}
	params.MaxCompletionTokens = openai.Int(2)
	got, err = c.Chat.Completions.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if got.Choices[0].Message.Content != "2+2 equals " || got.Choices[0].FinishReason != "length" {
		t.Errorf("limited: %q %q", got.Choices[0].Message.Content, got.Choices[0].FinishReason)
	}
}

func TestDemoEmbeddings(t *testing.T) {
	_, c := startDemo(t)
	res, err := c.Embeddings.New(context.Background(), openai.EmbeddingNewParams{
		Model: embedModel, Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"the cat sat", "the cat sat", "a dog ran"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range res.Data {
		if len(d.Embedding) != 256 {
			t.Fatalf("default dimensions %d", len(d.Embedding))
		}
		var norm float64
		for _, f := range d.Embedding {
			norm += f * f
		}
		if math.Abs(norm-1) > 1e-5 {
			t.Errorf("vector %d not normalised: |v|^2=%v", i, norm)
		}
	}
	if !equal(res.Data[0].Embedding, res.Data[1].Embedding) || equal(res.Data[0].Embedding, res.Data[2].Embedding) {
		t.Error("same text must embed the same, different text differently")
	}
	small, err := c.Embeddings.New(context.Background(), openai.EmbeddingNewParams{
		Model: embedModel, Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("x")}, Dimensions: openai.Int(32),
		EncodingFormat: openai.EmbeddingNewParamsEncodingFormatBase64,
	})
	if err != nil || len(small.Data[0].Embedding) != 32 {
		t.Fatalf("dimensions 32: %v %v", err, small)
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDemoImages(t *testing.T) {
	srv, c := startDemo(t)
	ctx := context.Background()
	b64, err := c.Images.Generate(ctx, openai.ImageGenerateParams{Prompt: "a red square", Size: "64x48", ResponseFormat: openai.ImageGenerateParamsResponseFormatB64JSON})
	if err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, strings.NewReader(mustB64(t, b64.Data[0].B64JSON)))
	if b := img.Bounds(); b.Dx() != 64 || b.Dy() != 48 {
		t.Errorf("size %v", b)
	}
	url, err := c.Images.Generate(ctx, openai.ImageGenerateParams{Prompt: "a red square", Size: "64x48"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(url.Data[0].URL, srv.URL+"/images/") {
		t.Fatalf("url %q", url.Data[0].URL)
	}
	resp, err := http.Get(url.Data[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("Content-Type") != "image/png" || string(body) != mustB64(t, b64.Data[0].B64JSON) {
		t.Error("the served image differs from the b64 one for the same prompt")
	}
}

func mustB64(t *testing.T, s string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func decodePNG(t *testing.T, r io.Reader) image.Image {
	t.Helper()
	img, err := png.Decode(r)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestDemoModels(t *testing.T) {
	_, c := startDemo(t)
	page, err := c.Models.List(context.Background())
	if err != nil || len(page.Data) != 3 {
		t.Fatalf("models %v %v", page, err)
	}
}

func TestDemoStructuredAndTools(t *testing.T) {
	_, c := startDemo(t)
	ctx := context.Background()
	msgs := []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What is 3*4?")}
	obj, err := c.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: chatModel, Messages: msgs,
		ResponseFormat: openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONObject: &shared.ResponseFormatJSONObjectParam{}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := obj.Choices[0].Message.Content; got != `{"answer":"3*4 equals 12."}` {
		t.Errorf("json_object reply %q", got)
	}
	schema := map[string]any{"type": "object", "additionalProperties": false, "required": []string{"n", "unit"},
		"properties": map[string]any{"n": map[string]any{"type": "integer", "minimum": 5}, "unit": map[string]any{"type": "string", "enum": []string{"kg", "lb"}}}}
	st, err := c.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: chatModel, Messages: msgs,
		ResponseFormat: openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
			JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: "weight", Schema: schema, Strict: openai.Bool(true)}}}})
	if err != nil {
		t.Fatal(err) // the handler's output guard would answer 500 for an invalid value
	}
	if got := st.Choices[0].Message.Content; got != `{"n":7,"unit":"kg"}` {
		t.Errorf("json_schema reply %q", got)
	}
	tools := []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
		Name: "get_weather", Strict: openai.Bool(true), Parameters: shared.FunctionParameters{"type": "object", "additionalProperties": false,
			"required": []string{"city"}, "properties": map[string]any{"city": map[string]any{"type": "string"}}}})}
	call, err := c.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: chatModel, Messages: msgs, Tools: tools,
		ToolChoice: openai.ChatCompletionToolChoiceOptionUnionParam{OfAuto: openai.String("required")}})
	if err != nil {
		t.Fatal(err)
	}
	tc := call.Choices[0].Message.ToolCalls
	if len(tc) != 1 || tc[0].Function.Name != "get_weather" || !strings.Contains(tc[0].Function.Arguments, `"city":`) || call.Choices[0].FinishReason != "tool_calls" {
		t.Fatalf("forced call %+v", call.Choices[0])
	}
	msgs = append(msgs, call.Choices[0].Message.ToParam(), openai.ToolMessage("18°C", tc[0].ID))
	done, err := c.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: chatModel, Messages: msgs, Tools: tools})
	if err != nil {
		t.Fatal(err)
	}
	if got := done.Choices[0].Message.Content; got != "Here is what I found. get_weather for Paris: 18°C." {
		t.Errorf("after the tool result: %q", got)
	}
}
