package middleware_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
)

func TestBodyLimitOpenAIGo(t *testing.T) {
	t.Parallel()
	srv := serve(t, middleware.BodyLimit(1024)(oaicompat.NewHandler(hello)))
	tests := []struct {
		name   string
		prompt string
		want   int // 0 for success
	}{
		{"small", "hi", 0},
		{"too large", strings.Repeat("x", 2000), http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := client(srv, aliceKey).Chat.Completions.New(testContext(t), chatParams(tt.prompt))
			if tt.want == 0 {
				if err != nil || got.Choices[0].Message.Content != "Hello!" {
					t.Fatalf("got %v, %v", got, err)
				}
				return
			}
			e := apiError(t, err)
			if e.StatusCode != tt.want || e.Type != "invalid_request_error" || e.Code != "request_too_large" ||
				e.Message != "Request body too large: the limit is 1024 bytes." {
				t.Fatalf("got %d %s %s %q", e.StatusCode, e.Type, e.Code, e.Message)
			}
		})
	}
}

// TestBodyLimitChunked sends bodies without a Content-Length: the limit then
// trips while the handler reads, and still answers 413 in the envelope.
func TestBodyLimitChunked(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler http.Handler
	}{
		{"oaicompat handler", oaicompat.NewHandler(hello)},
		{"plain handler using WriteError", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, err := io.ReadAll(r.Body); err != nil {
				oaicompat.WriteError(w, err)
			}
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, middleware.BodyLimit(100)(tt.handler))
			body := `{"model":"m","messages":[{"role":"user","content":"` + strings.Repeat("y", 200) + `"}]}`
			req, _ := http.NewRequest("POST", srv.URL+"/v1/chat/completions", io.MultiReader(strings.NewReader(body)))
			req.Header.Set("Content-Type", "application/json")
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			want := `{"error":{"message":"Request body too large: the limit is 100 bytes.","type":"invalid_request_error","param":null,"code":"request_too_large"}}` + "\n"
			if req.ContentLength != 0 || resp.StatusCode != 413 || string(got) != want {
				t.Fatalf("content-length %d: got %d %s", req.ContentLength, resp.StatusCode, got)
			}
		})
	}
}

func TestBodyLimitDisabled(t *testing.T) {
	t.Parallel()
	srv := serve(t, middleware.BodyLimit(0)(oaicompat.NewHandler(hello)))
	if _, err := client(srv, aliceKey).Chat.Completions.New(testContext(t), chatParams(strings.Repeat("z", 5000))); err != nil {
		t.Fatal(err)
	}
}
