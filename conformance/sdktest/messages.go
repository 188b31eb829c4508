package sdktest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Messages sends prompt to POST {base}/messages (Anthropic Messages, as
// Claude Code sends it, with ?beta=true) and returns the text of the
// answer.
func Messages(t *testing.T, base, prompt string) string {
	t.Helper()
	body := `{"model":"any","max_tokens":100,"messages":[{"role":"user","content":` + quote(prompt) + `}]}`
	req, err := http.NewRequestWithContext(t.Context(), "POST", base+"/messages?beta=true", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("anthropic-version", "2023-06-01")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var msg struct {
		Type    string `json:"type"`
		Content []struct {
			Text string `json:"text"`
		} `json:"content"`
	}
	if err := json.Unmarshal(b, &msg); err != nil || res.StatusCode != 200 || msg.Type != "message" || len(msg.Content) == 0 {
		t.Fatalf("messages: %d %s (%v)", res.StatusCode, b, err)
	}
	return msg.Content[0].Text
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
