package adaptertest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// testMessages checks that the Anthropic Messages routes come with the
// handler's route table, on both mounts, and that errors the router or its
// middleware raise on them are in the Anthropic envelope.
func testMessages(t *testing.T, h Harness) {
	ms := mounts(youSaid)
	group, _ := start(t, h, ms[0])
	root, _ := start(t, h, ms[1])
	body := func(n int) string {
		return `{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"` + strings.Repeat("a", n) + `"}]}`
	}
	tests := []struct {
		name, url, key, body string
		status               int
		typ                  string // the error type; "" for the Message
	}{
		{"group", group + "/api/v1/messages", apiKey, body(1), 200, ""},
		{"root", root + "/llm/v1/messages?beta=true", "", body(1), 200, ""},
		{"unknown route", group + "/api/v1/messages/nope", apiKey, body(1), 404, "not_found_error"},
		{"wrong key", group + "/api/v1/messages", "sk-nope", body(1), 401, "authentication_error"},
		{"body limit", group + "/api/v1/messages", apiKey, body(bodyLimit), 413, "request_too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), "POST", tt.url, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.key != "" {
				req.Header.Set("Authorization", "Bearer "+tt.key)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			var got struct {
				Type    string `json:"type"`
				Content []struct {
					Text string `json:"text"`
				} `json:"content"`
				Error struct {
					Type    string `json:"type"`
					Message string `json:"message"`
				} `json:"error"`
				RequestID string `json:"request_id"`
			}
			if err := json.Unmarshal(b, &got); err != nil || res.StatusCode != tt.status {
				t.Fatalf("%d %s (%v)", res.StatusCode, b, err)
			}
			if tt.typ == "" {
				if got.Type != "message" || len(got.Content) != 1 || got.Content[0].Text != "You said: a" {
					t.Errorf("message %s", b)
				}
				return
			}
			if got.Type != "error" || got.Error.Type != tt.typ || got.Error.Message == "" || got.RequestID == "" ||
				res.Header.Get("request-id") != got.RequestID {
				t.Errorf("error %s (request-id %q)", b, res.Header.Get("request-id"))
			}
		})
	}
}
