package middleware_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3/option"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
)

func TestAccessLog(t *testing.T) {
	t.Parallel()
	const prompt = "my secret prompt"
	tests := []struct {
		name   string
		opts   []middleware.AccessLogOption
		key    string
		stream bool
		want   map[string]any // fields that must be logged with these values
		absent []string       // fields that must not be logged
		bodies bool           // prompt and output logged
	}{
		{
			name: "chat", key: aliceKey,
			want: map[string]any{"level": "INFO", "msg": "request", "method": "POST", "path": "/v1/chat/completions",
				"status": 200.0, "endpoint": "chat.completions", "model": "gpt-test", "stream": false,
				"tokens_in": 12.0, "tokens_out": 3.0, "key_id": "alice"},
			absent: []string{"prompt", "output", "error_type"},
		},
		{
			name: "stream", key: aliceKey, stream: true,
			want: map[string]any{"level": "INFO", "status": 200.0, "stream": true, "tokens_in": 12.0, "tokens_out": 3.0, "key_id": "alice"},
		},
		{
			name: "wrong key", key: "sk-wrong-0000000000000000000",
			want:   map[string]any{"level": "WARN", "status": 401.0},
			absent: []string{"key_id", "model", "tokens_in"},
		},
		{
			name: "bodies on request", key: bobKey, opts: []middleware.AccessLogOption{middleware.WithBodies(4096)},
			want: map[string]any{"level": "INFO", "key_id": "bob"}, bodies: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs syncBuffer
			chain := middleware.Chain(
				middleware.RequestID(),
				middleware.AccessLog(slog.New(slog.NewJSONHandler(&logs, nil)), tt.opts...),
				middleware.Auth(middleware.StaticKeys(testKeys)),
			)
			srv := serve(t, chain(oaicompat.NewHandler(hello)))
			c := client(srv, tt.key)
			var resp *http.Response
			var err error
			if tt.stream {
				s := c.Chat.Completions.NewStreaming(testContext(t), chatParams(prompt), option.WithResponseInto(&resp))
				for s.Next() {
				}
				err = s.Err()
			} else {
				_, err = c.Chat.Completions.New(testContext(t), chatParams(prompt), option.WithResponseInto(&resp))
			}
			if err != nil {
				resp = apiError(t, err).Response
			}
			finish(srv)

			line := logs.String()
			if strings.Count(line, "\n") != 1 {
				t.Fatalf("want one log line, got:\n%s", line)
			}
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.want {
				if rec[k] != v {
					t.Errorf("%s = %v, want %v", k, rec[k], v)
				}
			}
			for _, k := range tt.absent {
				if _, ok := rec[k]; ok {
					t.Errorf("%s logged: %v", k, rec[k])
				}
			}
			if rec["request_id"] != resp.Header.Get("x-request-id") {
				t.Errorf("request_id %v, response header %q", rec["request_id"], resp.Header.Get("x-request-id"))
			}
			lat, _ := rec["latency"].(float64)
			if lat <= 0 {
				t.Errorf("latency %v", rec["latency"])
			}
			if ttft, ok := rec["ttft"].(float64); tt.want["status"] == 200.0 && (!ok || ttft < 0 || ttft > lat) {
				t.Errorf("ttft %v with latency %v", rec["ttft"], lat)
			}
			if strings.Contains(line, tt.key) || strings.Contains(line, tt.key[8:]) {
				t.Errorf("the API key was logged: %s", line)
			}
			if hasPrompt := strings.Contains(line, prompt); hasPrompt != tt.bodies {
				t.Errorf("prompt logged = %v, want %v", hasPrompt, tt.bodies)
			}
			if hasOutput := strings.Contains(line, "Hello!"); hasOutput != tt.bodies {
				t.Errorf("output logged = %v, want %v", hasOutput, tt.bodies)
			}
		})
	}
}

// TestAccessLogErrors: status-based levels, and in-band stream errors.
func TestAccessLogErrors(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	backend := oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		if err := w.WriteText("partial"); err != nil {
			return err
		}
		return oaicompat.ServerError("backend exploded")
	})
	srv := serve(t, middleware.AccessLog(slog.New(slog.NewJSONHandler(&logs, nil)))(oaicompat.NewHandler(backend)))
	s := client(srv, aliceKey).Chat.Completions.NewStreaming(testContext(t), chatParams("hi"))
	for s.Next() {
	}
	if s.Err() == nil {
		t.Fatal("want an in-band error")
	}
	finish(srv)
	var rec map[string]any
	if err := json.Unmarshal([]byte(logs.String()), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["level"] != "ERROR" || rec["status"] != 200.0 || rec["error_type"] != "server_error" || rec["stream"] != true {
		t.Fatalf("got %v", rec)
	}
}
