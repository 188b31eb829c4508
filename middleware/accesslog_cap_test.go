package middleware_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
)

// TestAccessLogCapsValues: values from the client or the backend are cut
// at the cap with a marker (issue 11: a 1 MiB model name made a 1 MiB log
// line), at a character boundary, and short values are left alone.
func TestAccessLogCapsValues(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("m", 1<<20)
	tests := []struct {
		name    string
		opts    []middleware.AccessLogOption
		model   string
		path    string
		errCode string // answered by the backend
		want    map[string]string
	}{
		{name: "1 MiB model", model: huge, path: "/v1/chat/completions",
			want: map[string]string{"model": huge[:512] + "…[cut 1048064 bytes]", "path": "/v1/chat/completions"}},
		{name: "1 MiB path", model: "m", path: "/v1/chat/completions/" + huge,
			want: map[string]string{"path": ("/v1/chat/completions/" + huge)[:512] + "…[cut 1048085 bytes]"}}, // a 404, logged
		{name: "backend error code", model: "m", path: "/v1/chat/completions", errCode: huge,
			want: map[string]string{"error_code": huge[:512] + "…[cut 1048064 bytes]", "error_type": "invalid_request_error"}},
		{name: "at a character boundary", opts: []middleware.AccessLogOption{middleware.WithMaxLogValue(4)}, model: "ab€€", path: "/v1/chat/completions",
			want: map[string]string{"model": "ab…[cut 6 bytes]"}},
		{name: "exactly the cap", opts: []middleware.AccessLogOption{middleware.WithMaxLogValue(5)}, model: "abcde", path: "/v1/chat/completions",
			want: map[string]string{"model": "abcde"}},
		{name: "no cap", opts: []middleware.AccessLogOption{middleware.WithMaxLogValue(0)}, model: huge, path: "/v1/chat/completions",
			want: map[string]string{"model": huge}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			backend := oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
				if tt.errCode != "" {
					return &oaicompat.Error{Status: 400, Type: "invalid_request_error", Code: tt.errCode, Message: "no"}
				}
				return w.WriteText("hi")
			})
			var logs bytes.Buffer
			h := middleware.AccessLog(slog.New(slog.NewJSONHandler(&logs, nil)), tt.opts...)(oaicompat.NewHandler(backend))
			body, _ := json.Marshal(map[string]any{"model": tt.model, "messages": []map[string]string{{"role": "user", "content": "hi"}}})
			req := httptest.NewRequest("POST", "/v1/chat/completions", bytes.NewReader(body))
			req.URL.Path = tt.path
			h.ServeHTTP(httptest.NewRecorder(), req)
			var line map[string]any
			if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
				t.Fatalf("%v: %.300s", err, logs.String())
			}
			for k, want := range tt.want {
				if got, _ := line[k].(string); got != want {
					t.Errorf("%s: %d bytes %.40q…, want %d bytes %.40q…", k, len(got), got, len(want), want)
				}
			}
			if tt.want["model"] != huge && logs.Len() > 4<<10 {
				t.Fatalf("log line of %d bytes", logs.Len())
			}
		})
	}
}
