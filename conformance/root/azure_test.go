package oaicompat_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/azure"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"

	"github.com/oaicompat/oaicompat"
)

// azureBackend is a chat-only backend with embeddings, for the Azure routes.
type azureBackend struct{ dialectBackend }

func (a *azureBackend) Embed(_ context.Context, req *oaicompat.EmbeddingRequest) (*oaicompat.EmbeddingResult, error) {
	res := &oaicompat.EmbeddingResult{Model: req.Model}
	for range req.Input.Len() {
		res.Vectors = append(res.Vectors, []float32{1, 0})
	}
	return res, nil
}

func azureDeployments(d string) string {
	if d == "prod-chat" {
		return "m1"
	}
	return ""
}

func TestAzureWithOpenAIGo(t *testing.T) {
	be := &azureBackend{}
	srv := serveDialects(t, be, oaicompat.WithAzure(azureDeployments))
	var seen []string
	client := openai.NewClient(
		azure.WithEndpoint(srv.URL, "2024-10-21"),
		azure.WithAPIKey("azure-key"),
		azure.WithUnsafeAllowHTTP(),
		option.WithMaxRetries(0),
		option.WithMiddleware(func(r *http.Request, next option.MiddlewareNext) (*http.Response, error) {
			seen = append(seen, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery+" api-key="+r.Header.Get("Api-Key"))
			return next(r)
		}),
	)
	ctx := context.Background()
	chat, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model:    "prod-chat",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hello azure")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if chat.Choices[0].Message.Content != "You said: hello azure" || chat.Model != "m1" || be.LastRequest().Model != "m1" {
		t.Errorf("chat = %q model %q", chat.Choices[0].Message.Content, chat.Model)
	}
	comp, err := client.Completions.New(ctx, openai.CompletionNewParams{Model: "prod-chat",
		Prompt: openai.CompletionNewParamsPromptUnion{OfString: openai.String("legacy")}})
	if err != nil || comp.Choices[0].Text != "You said: legacy" {
		t.Fatalf("completions: %v %+v", err, comp)
	}
	emb, err := client.Embeddings.New(ctx, openai.EmbeddingNewParams{Model: "prod-chat",
		Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"a", "b"}}})
	if err != nil || len(emb.Data) != 2 || emb.Model != "m1" {
		t.Fatalf("embeddings: %v %+v", err, emb)
	}
	resp, err := client.Responses.New(ctx, responses.ResponseNewParams{Model: "m1",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("via /openai/responses")}})
	if err != nil || resp.OutputText() != "You said: via /openai/responses" {
		t.Fatalf("responses: %v", err)
	}
	if _, err := client.Responses.Get(ctx, resp.ID, responses.ResponseGetParams{}); err != nil {
		t.Errorf("responses get: %v", err)
	}
	want := []string{
		"POST /openai/deployments/prod-chat/chat/completions?api-version=2024-10-21 api-key=azure-key",
		"POST /openai/deployments/prod-chat/completions?api-version=2024-10-21 api-key=azure-key",
		"POST /openai/deployments/prod-chat/embeddings?api-version=2024-10-21 api-key=azure-key",
		"POST /openai/responses?api-version=2024-10-21 api-key=azure-key",
	}
	for i, w := range want {
		if i >= len(seen) || seen[i] != w {
			t.Errorf("request %d = %q, want %q", i, seen, w)
		}
	}
}

func TestAzureRoutes(t *testing.T) {
	srv := serveDialects(t, &azureBackend{}, oaicompat.WithAzure(azureDeployments))
	chatBody := `{"messages":[{"role":"user","content":"hi"}]}`
	tests := []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"deployment chat", "POST", "/openai/deployments/prod-chat/chat/completions?api-version=2025-01-01-preview", chatBody, 200, ""},
		{"missing api-version", "POST", "/openai/deployments/prod-chat/chat/completions", chatBody, 404, "404"},
		{"unknown deployment", "POST", "/openai/deployments/nope/chat/completions?api-version=1", chatBody, 404, "DeploymentNotFound"},
		{"wrong method", "GET", "/openai/deployments/prod-chat/chat/completions?api-version=1", "", 405, "method_not_allowed"},
		{"v1 without api-version", "POST", "/openai/v1/chat/completions", `{"model":"m1","messages":[{"role":"user","content":"hi"}]}`, 200, ""},
		{"v1 responses", "POST", "/openai/v1/responses", `{"model":"m1","input":"hi"}`, 200, ""},
		{"classic models", "GET", "/openai/models?api-version=1", "", 200, ""},
		{"classic without api-version", "GET", "/openai/models", "", 404, "404"},
		{"unknown path", "POST", "/openai/deployments/prod-chat/moderations?api-version=1", "{}", 404, ""},
		{"plain v1 still served", "POST", "/v1/completions", `{"model":"m1","prompt":"hi"}`, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			req.Header.Set("api-key", "k")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body struct {
				Error *struct {
					Code *string `json:"code"`
				} `json:"error"`
			}
			_ = json.NewDecoder(res.Body).Decode(&body)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			if tt.code != "" && (body.Error == nil || body.Error.Code == nil || *body.Error.Code != tt.code) {
				t.Errorf("error = %+v", body.Error)
			}
		})
	}
}

func TestAzureOffByDefault(t *testing.T) {
	srv := serveDialects(t, &dialectBackend{})
	res, err := http.Post(srv.URL+"/openai/deployments/m1/chat/completions?api-version=1", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Errorf("status %d", res.StatusCode)
	}
}
