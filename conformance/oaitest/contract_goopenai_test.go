package oaitest_test

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"testing"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/oaicompat/oaicompat/oaitest"
)

func newGoOpenAI(m *oaitest.Mock) *goopenai.Client {
	cfg := goopenai.DefaultConfig("test-key")
	cfg.BaseURL = m.URL()
	cfg.HTTPClient = m.HTTPClient()
	return goopenai.NewClientWithConfig(cfg)
}

// goRequest is the go-openai form of chatParams (json_schema and forced
// tool cases are covered through openai-go).
func goRequest(stream bool) goopenai.ChatCompletionRequest {
	return goopenai.ChatCompletionRequest{
		Model:    "gpt-4o-mini",
		Stream:   stream,
		Messages: []goopenai.ChatCompletionMessage{{Role: "system", Content: "Be brief."}, {Role: "user", Content: "Hi there"}},
	}
}

// TestContractGoOpenAI runs the reply kinds through go-openai, streamed
// (deltas assembled by hand, as go-openai users do) and not.
func TestContractGoOpenAI(t *testing.T) {
	t.Parallel()
	for _, tc := range replyCases {
		if tc.params != nil {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mock := oaitest.NewServer(t)
			mock.On(oaitest.Chat()).Reply(tc.reply).Times(2)
			client := newGoOpenAI(mock)
			ctx := context.Background()

			plain, err := client.CreateChatCompletion(ctx, goRequest(false))
			if err != nil {
				t.Fatal(err)
			}
			msg := plain.Choices[0].Message
			checkGo(t, tc, msg.Content, msg.Refusal, msg.ToolCalls, string(plain.Choices[0].FinishReason))

			stream, err := client.CreateChatCompletionStream(ctx, goRequest(true))
			if err != nil {
				t.Fatal(err)
			}
			defer stream.Close()
			var content, refusal, finish string
			var calls []goopenai.ToolCall
			for {
				chunk, err := stream.Recv()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				for _, ch := range chunk.Choices {
					content += ch.Delta.Content
					refusal += ch.Delta.Refusal
					for _, d := range ch.Delta.ToolCalls {
						if *d.Index == len(calls) {
							calls = append(calls, goopenai.ToolCall{ID: d.ID, Type: d.Type, Function: goopenai.FunctionCall{Name: d.Function.Name}})
						}
						calls[*d.Index].Function.Arguments += d.Function.Arguments
					}
					if ch.FinishReason != "" {
						finish = string(ch.FinishReason)
					}
				}
			}
			checkGo(t, tc, content, refusal, calls, finish)
		})
	}
}

func checkGo(t *testing.T, tc replyCase, content, refusal string, calls []goopenai.ToolCall, finish string) {
	t.Helper()
	if content != tc.content || refusal != tc.refusal || finish != tc.finish {
		t.Errorf("got content %q refusal %q finish %q, want %q %q %q", content, refusal, finish, tc.content, tc.refusal, tc.finish)
	}
	if len(calls) != len(tc.calls) {
		t.Fatalf("tool calls = %+v, want %+v", calls, tc.calls)
	}
	for i, want := range tc.calls {
		if calls[i].Function.Name != want.Name || calls[i].Function.Arguments != want.Arguments || calls[i].Type != "function" || calls[i].ID == "" {
			t.Errorf("tool call %d = %+v, want %+v", i, calls[i], want)
		}
	}
}

func TestContractGoOpenAIErrors(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 404, 429, 500, 503} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			mock := oaitest.NewServer(t)
			mock.On(nil).Reply(oaitest.Error(status, "boom"))
			_, err := newGoOpenAI(mock).CreateChatCompletion(context.Background(), goRequest(false))
			var apiErr *goopenai.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if apiErr.HTTPStatusCode != status || apiErr.Message != "boom" || apiErr.Type == "" {
				t.Errorf("APIError = %+v", apiErr)
			}
		})
	}
}

// TestEmbeddings checks the deterministic embeddings through both clients:
// one vector per input, of the requested dimensions, L2-normalised, equal
// for equal inputs, in float and base64 encodings.
func TestEmbeddings(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t)
	mock.On(oaitest.Embeddings()).AnyTimes()
	ctx := context.Background()
	inputs := []string{"hello", "world", "hello"}
	for _, format := range []goopenai.EmbeddingEncodingFormat{goopenai.EmbeddingEncodingFormatFloat, goopenai.EmbeddingEncodingFormatBase64} {
		res, err := newGoOpenAI(mock).CreateEmbeddings(ctx, goopenai.EmbeddingRequest{
			Input: inputs, Model: goopenai.SmallEmbedding3, Dimensions: 64, EncodingFormat: format})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Data) != 3 {
			t.Fatalf("%d vectors", len(res.Data))
		}
		for i, d := range res.Data {
			if len(d.Embedding) != 64 {
				t.Errorf("vector %d has %d dimensions, want 64", i, len(d.Embedding))
			}
			var norm float64
			for _, x := range d.Embedding {
				norm += float64(x) * float64(x)
			}
			if math.Abs(norm-1) > 1e-4 {
				t.Errorf("vector %d has norm² %v, want 1", i, norm)
			}
			want := oaitest.Embed(inputs[i], 64)
			for j := range want {
				if want[j] != d.Embedding[j] {
					t.Fatalf("%s: vector %d differs from Embed at %d", format, i, j)
				}
			}
		}
		if want := 2*oaitest.CountTokens("hello") + oaitest.CountTokens("world"); res.Usage.PromptTokens != want {
			t.Errorf("prompt tokens = %d, want %d", res.Usage.PromptTokens, want)
		}
	}
	res, err := newOpenAI(mock).Embeddings.New(ctx, embeddingParams("hello"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Data) != 1 || len(res.Data[0].Embedding) != 1536 {
		t.Fatalf("openai-go got %d vectors of %d", len(res.Data), len(res.Data[0].Embedding))
	}
	if float32(res.Data[0].Embedding[0]) != oaitest.Embed("hello", 1536)[0] {
		t.Errorf("openai-go vector differs from Embed")
	}
}
