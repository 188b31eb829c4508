package middleware_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3/option"
	goopenai "github.com/sashabaranov/go-openai"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
)

// keyEcho is a backend answering with the key id it sees in its context.
var keyEcho = oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	return w.WriteText("id=" + middleware.KeyIDFromContext(ctx))
})

func TestAuthOpenAIGo(t *testing.T) {
	t.Parallel()
	const missing = "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
	tests := []struct {
		name     string
		opts     []middleware.AuthOption
		req      []option.RequestOption // how the client sends (or does not send) its key
		wantID   string                 // on success
		wantCode string                 // the error's raw "code" JSON, on 401
		wantMsg  string
	}{
		{name: "bearer", req: []option.RequestOption{option.WithAPIKey(aliceKey)}, wantID: "alice"},
		{name: "bearer other key", req: []option.RequestOption{option.WithAPIKey(bobKey)}, wantID: "bob"},
		{name: "lower-case bearer scheme", req: []option.RequestOption{option.WithHeader("Authorization", "bearer "+aliceKey)}, wantID: "alice"},
		{name: "azure api-key", req: []option.RequestOption{option.WithHeaderDel("Authorization"), option.WithHeader("api-key", bobKey)}, wantID: "bob"},
		{name: "x-api-key", req: []option.RequestOption{option.WithHeaderDel("Authorization"), option.WithHeader("x-api-key", aliceKey)}, wantID: "alice"},
		{name: "authorization wins over api-key", req: []option.RequestOption{option.WithAPIKey(aliceKey), option.WithHeader("api-key", bobKey)}, wantID: "alice"},
		{
			name: "wrong key",
			// a 51-character key, as in OpenAI's own messages: 8 shown, 39 stars, 4 shown
			req:      []option.RequestOption{option.WithAPIKey("sk-8uCeCabcdefghijklmnopqrstuvwxyz0123456789ABCoK2e")},
			wantCode: `"invalid_api_key"`,
			wantMsg:  "Incorrect API key provided: sk-8uCeC" + strings.Repeat("*", 39) + "oK2e.",
		},
		{
			name:     "short wrong key",
			req:      []option.RequestOption{option.WithAPIKey("secret12")},
			wantCode: `"invalid_api_key"`,
			wantMsg:  "Incorrect API key provided: se****12.",
		},
		{
			name:     "long wrong key: stars capped",
			req:      []option.RequestOption{option.WithAPIKey("sk-proj-" + strings.Repeat("x", 150) + "R4sA")},
			wantCode: `"invalid_api_key"`,
			wantMsg:  "Incorrect API key provided: sk-proj-" + strings.Repeat("*", 40) + "R4sA.",
		},
		{
			name:     "unprintable characters are never echoed",
			req:      []option.RequestOption{option.WithAPIKey("éé-secret-key-é")},
			wantCode: `"invalid_api_key"`,
			// 18 bytes: the first 4 (two é) and the last é are starred, "y-" shown
			wantMsg: "Incorrect API key provided: " + strings.Repeat("*", 14) + "y-**.",
		},
		{name: "no key", req: []option.RequestOption{option.WithHeaderDel("Authorization")}, wantCode: "null", wantMsg: missing},
		{name: "empty bearer", req: []option.RequestOption{option.WithHeader("Authorization", "Bearer ")}, wantCode: "null", wantMsg: missing},
		{name: "basic auth is no key", req: []option.RequestOption{option.WithHeader("Authorization", "Basic dXNlcjpwYXNz")}, wantCode: "null", wantMsg: missing},
		{
			name:     "api-key not accepted when only Authorization is",
			opts:     []middleware.AuthOption{middleware.WithKeyHeaders(middleware.HeaderAuthorization)},
			req:      []option.RequestOption{option.WithHeaderDel("Authorization"), option.WithHeader("api-key", aliceKey)},
			wantCode: "null", wantMsg: missing,
		},
		{
			name:   "custom header only",
			opts:   []middleware.AuthOption{middleware.WithKeyHeaders("X-Goog-Api-Key")},
			req:    []option.RequestOption{option.WithHeaderDel("Authorization"), option.WithHeader("x-goog-api-key", bobKey)},
			wantID: "bob",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := middleware.Auth(middleware.StaticKeys(testKeys), tt.opts...)(oaicompat.NewHandler(keyEcho))
			c := client(serve(t, h), "unused", tt.req...)
			got, err := c.Chat.Completions.New(testContext(t), chatParams("hi"))
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				if want := "id=" + tt.wantID; got.Choices[0].Message.Content != want {
					t.Fatalf("backend saw %q, want %q", got.Choices[0].Message.Content, want)
				}
				return
			}
			e := apiError(t, err)
			if e.StatusCode != http.StatusUnauthorized || e.Type != "invalid_request_error" ||
				e.JSON.Code.Raw() != tt.wantCode || e.JSON.Param.Raw() != "null" || e.Message != tt.wantMsg {
				t.Fatalf("got %d type=%q code=%s param=%s message=%q\nwant 401 invalid_request_error code=%s param=null message=%q",
					e.StatusCode, e.Type, e.JSON.Code.Raw(), e.JSON.Param.Raw(), e.Message, tt.wantCode, tt.wantMsg)
			}
			if strings.Contains(e.RawJSON(), "0123456789abcdefghijklmnopqrstuvwxyz") {
				t.Fatalf("the key leaked into the error: %s", e.RawJSON())
			}
		})
	}
}

// TestAuthGoOpenAI checks the 401 as the community go-openai client sees it.
func TestAuthGoOpenAI(t *testing.T) {
	t.Parallel()
	srv := serve(t, middleware.Auth(middleware.StaticKeys(testKeys))(oaicompat.NewHandler(keyEcho)))
	tests := []struct {
		name, key string
		wantErr   bool
	}{
		{"good key", bobKey, false},
		{"bad key", "sk-wrong-key-0000000000000000", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := goopenai.DefaultConfig(tt.key)
			cfg.BaseURL = srv.URL + "/v1"
			resp, err := goopenai.NewClientWithConfig(cfg).CreateChatCompletion(testContext(t), goopenai.ChatCompletionRequest{
				Model: "gpt-test", Messages: []goopenai.ChatCompletionMessage{{Role: "user", Content: "hi"}},
			})
			if !tt.wantErr {
				if err != nil || resp.Choices[0].Message.Content != "id=bob" {
					t.Fatalf("got %+v, %v", resp, err)
				}
				return
			}
			var e *goopenai.APIError
			if !errors.As(err, &e) {
				t.Fatalf("got %v (%T), want *openai.APIError", err, err)
			}
			if e.HTTPStatusCode != 401 || e.Type != "invalid_request_error" || e.Code != "invalid_api_key" ||
				e.Message != "Incorrect API key provided: sk-wron"+strings.Repeat("*", 18)+"0000." {
				t.Fatalf("got %+v", e)
			}
		})
	}
}

func TestAuthLookup(t *testing.T) {
	t.Parallel()
	down := &oaicompat.Error{Status: http.StatusServiceUnavailable, Type: oaicompat.TypeServerError, Message: "Key store unavailable."}
	tests := []struct {
		name       string
		lookup     middleware.KeyLookup
		wantStatus int
		wantType   string
		wantMsg    string
	}{
		{
			name: "lookup accepts",
			lookup: func(_ context.Context, key string) (string, bool, error) {
				return "user-" + key[len(key)-4:], true, nil
			},
			wantStatus: http.StatusOK,
		},
		{
			name:       "lookup refuses",
			lookup:     func(context.Context, string) (string, bool, error) { return "", false, nil },
			wantStatus: http.StatusUnauthorized, wantType: "invalid_request_error",
			wantMsg: "Incorrect API key provided: sk-alice" + strings.Repeat("*", len(aliceKey)-12) + "ABCD.",
		},
		{
			name:       "lookup fails with an oaicompat error",
			lookup:     func(context.Context, string) (string, bool, error) { return "", false, down },
			wantStatus: http.StatusServiceUnavailable, wantType: "server_error", wantMsg: "Key store unavailable.",
		},
		{
			name:       "lookup fails with another error",
			lookup:     func(context.Context, string) (string, bool, error) { return "", false, errors.New("dial tcp: refused") },
			wantStatus: http.StatusInternalServerError, wantType: "server_error",
			wantMsg: "The server had an error while processing your request. Sorry about that!",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := client(serve(t, middleware.Auth(tt.lookup)(oaicompat.NewHandler(keyEcho))), aliceKey)
			got, err := c.Chat.Completions.New(testContext(t), chatParams("hi"))
			if tt.wantStatus == http.StatusOK {
				if err != nil || got.Choices[0].Message.Content != "id=user-ABCD" {
					t.Fatalf("got %v, %v", got, err)
				}
				return
			}
			e := apiError(t, err)
			if e.StatusCode != tt.wantStatus || e.Type != tt.wantType || e.Message != tt.wantMsg {
				t.Fatalf("got %d %q %q, want %d %q %q", e.StatusCode, e.Type, e.Message, tt.wantStatus, tt.wantType, tt.wantMsg)
			}
		})
	}
}

func TestStaticKeys(t *testing.T) {
	t.Parallel()
	lookup := middleware.StaticKeys(map[string]string{"k1": "one", "k2": "two", "": "empty"})
	tests := []struct {
		key    string
		wantID string
		wantOK bool
	}{
		{"k1", "one", true},
		{"k2", "two", true},
		{"k3", "", false},
		{"k1 ", "", false},
		{"K1", "", false},
	}
	for _, tt := range tests {
		id, ok, err := lookup(context.Background(), tt.key)
		if id != tt.wantID || ok != tt.wantOK || err != nil {
			t.Errorf("lookup(%q) = %q, %v, %v; want %q, %v, nil", tt.key, id, ok, err, tt.wantID, tt.wantOK)
		}
	}
}

// TestAuthContextRoundTrip checks that ContextWithKeyID feeds KeyIDFromContext.
func TestAuthContextRoundTrip(t *testing.T) {
	t.Parallel()
	if got := middleware.KeyIDFromContext(context.Background()); got != "" {
		t.Fatalf("empty context has key id %q", got)
	}
	ctx := middleware.ContextWithKeyID(context.Background(), "carol")
	if got := middleware.KeyIDFromContext(ctx); got != "carol" {
		t.Fatalf("got %q, want carol", got)
	}
}
