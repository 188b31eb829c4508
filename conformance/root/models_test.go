package oaicompat_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/azure"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"

	"github.com/oaicompat/oaicompat"
)

// TestUnknownModelEverywhere: a handler that knows its models answers
// OpenAI's 404 model_not_found for any other on every endpoint and dialect,
// as the SDKs expect; WithAnyModel passes every name on.
func TestUnknownModelEverywhere(t *testing.T) {
	backend := oaicompat.Funcs{
		ChatFunc: func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
			return w.WriteText("ok")
		},
		EmbedFunc: func(ctx context.Context, req *oaicompat.EmbeddingRequest) (*oaicompat.EmbeddingResult, error) {
			return &oaicompat.EmbeddingResult{Vectors: [][]float32{{1, 0}}}, nil
		},
		ImageFunc: func(ctx context.Context, req *oaicompat.ImageRequest) (*oaicompat.ImageResult, error) {
			return &oaicompat.ImageResult{Images: []oaicompat.Image{{URL: "https://x/1.png"}}}, nil
		},
	}
	opts := []oaicompat.Option{oaicompat.WithModels(oaicompat.Model{ID: "known"}), oaicompat.WithAzure(nil)}
	calls := []struct {
		name string
		do   func(c openai.Client, model string) error
	}{
		{"chat", func(c openai.Client, m string) error {
			_, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: m,
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}})
			return err
		}},
		{"chat stream", func(c openai.Client, m string) error {
			s := c.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{Model: m,
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}})
			for s.Next() {
			}
			return s.Err()
		}},
		{"responses", func(c openai.Client, m string) error {
			_, err := c.Responses.New(context.Background(), responses.ResponseNewParams{Model: m,
				Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")}})
			return err
		}},
		{"completions", func(c openai.Client, m string) error {
			_, err := c.Completions.New(context.Background(), openai.CompletionNewParams{Model: openai.CompletionNewParamsModel(m),
				Prompt: openai.CompletionNewParamsPromptUnion{OfString: openai.String("hi")}})
			return err
		}},
		{"embeddings", func(c openai.Client, m string) error {
			_, err := c.Embeddings.New(context.Background(), openai.EmbeddingNewParams{Model: m,
				Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("hi")}})
			return err
		}},
		{"images", func(c openai.Client, m string) error {
			_, err := c.Images.Generate(context.Background(), openai.ImageGenerateParams{Model: m, Prompt: "x"})
			return err
		}},
	}
	strict := serve(t, oaicompat.NewHandler(backend, opts...))
	loose := serve(t, oaicompat.NewHandler(backend, append(opts, oaicompat.WithAnyModel())...))
	plain := openai.NewClient(option.WithBaseURL(strict.URL+"/v1"), option.WithAPIKey("k"), option.WithMaxRetries(0))
	azureClient := openai.NewClient(azure.WithEndpoint(strict.URL, "2024-10-21"), azure.WithAPIKey("k"), azure.WithUnsafeAllowHTTP(), option.WithMaxRetries(0))
	anyClient := openai.NewClient(option.WithBaseURL(loose.URL+"/v1"), option.WithAPIKey("k"), option.WithMaxRetries(0))
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			if err := c.do(plain, "known"); err != nil {
				t.Fatalf("known model: %v", err)
			}
			for _, client := range []openai.Client{plain, azureClient} {
				err := c.do(client, "no-such-model")
				var apiErr *openai.Error
				if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound || apiErr.Code != "model_not_found" ||
					apiErr.Message != "The model `no-such-model` does not exist or you do not have access to it." {
					t.Fatalf("unknown model: %v", err)
				}
			}
			if err := c.do(anyClient, "no-such-model"); err != nil {
				t.Fatalf("WithAnyModel: %v", err)
			}
		})
	}
	page, err := plain.Models.List(context.Background())
	if err != nil || len(page.Data) != 1 || page.Data[0].Created == 0 {
		t.Fatalf("WithModels without Created: %+v %v", page, err)
	}
}
