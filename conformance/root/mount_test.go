package oaicompat_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/oaicompat/oaicompat"
)

// TestMountAnywhere: the handler answers under any prefix, whether the
// router strips it or not, without WithBasePath; openai-go pointed at the
// prefix sees the whole API, and a wrong path gets the envelope naming
// where the API is.
func TestMountAnywhere(t *testing.T) {
	h := oaicompat.NewHandler(newTestBackend()) // lists test-model and org/model-with-slash
	tests := []struct {
		name, base string
		mount      func(mux *http.ServeMux)
	}{
		{"ServeMux subtree, not stripped", "/llm/v1", func(mux *http.ServeMux) { mux.Handle("/llm/v1/", h) }},
		{"StripPrefix of the whole prefix", "/llm/v1", func(mux *http.ServeMux) { mux.Handle("/llm/v1/", http.StripPrefix("/llm/v1", h)) }},
		{"StripPrefix of the part before /v1", "/llm/v1", func(mux *http.ServeMux) { mux.Handle("/llm/", http.StripPrefix("/llm", h)) }},
		{"deep prefix", "/api/openai/v1", func(mux *http.ServeMux) { mux.Handle("/api/openai/v1/", h) }},
		{"pattern with a wildcard", "/llm/v1", func(mux *http.ServeMux) { mux.Handle("/llm/v1/{rest...}", h) }},
		{"at the root", "/v1", func(mux *http.ServeMux) { mux.Handle("/", h) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mux := http.NewServeMux()
			tt.mount(mux)
			srv := httptest.NewServer(mux)
			defer srv.Close()
			client := openai.NewClient(option.WithBaseURL(srv.URL+tt.base), option.WithAPIKey("k"), option.WithMaxRetries(0))
			ctx := context.Background()
			c, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "test-model",
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hello")}})
			if err != nil || c.Choices[0].Message.Content == "" {
				t.Fatalf("chat: %v", err)
			}
			m, err := client.Models.Get(ctx, "org/model-with-slash")
			if err != nil || m.ID != "org/model-with-slash" {
				t.Fatalf("model with a slash: %+v %v", m, err)
			}
			res, err := http.Post(srv.URL+tt.base+"/chat/complete", "application/json", strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body strings.Builder
			_, _ = io.Copy(&body, res.Body)
			if res.StatusCode != 404 || !strings.Contains(body.String(), `"type":"invalid_request_error"`) || !strings.Contains(body.String(), "Invalid URL") {
				t.Fatalf("unknown path: %d %s", res.StatusCode, body.String())
			}
		})
	}
}

// TestMountedElsewhereNamesTheAPI: a path that matches no endpoint, under
// a prefix the handler cannot place, says where the API is.
func TestMountedElsewhereNamesTheAPI(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/llm/v1/", oaicompat.NewHandler(newTestBackend()))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	status, _, body := post(t, srv.URL+"/llm/v1/chat/complete", `{}`)
	if status != 404 || !strings.Contains(body, "Invalid URL (POST /llm/v1/chat/complete)") ||
		!strings.Contains(body, "under /llm/v1 (for example POST /llm/v1/chat/completions)") {
		t.Fatalf("%d %s", status, body)
	}
}
