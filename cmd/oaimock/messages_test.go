package main

import (
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat/anthropic"
)

// TestMessagesScenario: oaimock answers Claude clients from the example
// scenario (a rule matched on api: messages with a reasoning reply), in the
// Anthropic shapes, and journals them.
func TestMessagesScenario(t *testing.T) {
	t.Parallel()
	ts, _ := start(t, "scenario.example.yaml")
	resp, err := ts.Client().Post(ts.URL+"/v1/messages?beta=true", "application/json",
		strings.NewReader(`{"model":"claude-test","max_tokens":100,"messages":[{"role":"user","content":"think about it"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var msg anthropic.Message
	if err := json.Unmarshal(body, &msg); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if len(msg.Content) != 2 || msg.Content[0].Type != "thinking" || msg.Content[0].Thinking != "Let me think it through." ||
		msg.Content[1].Text != "42" || *msg.StopReason != "end_turn" || resp.Header.Get("request-id") == "" {
		t.Errorf("message %s", body)
	}
	// A bad request is answered in the Anthropic envelope.
	resp, err = ts.Client().Post(ts.URL+"/v1/messages", "application/json", strings.NewReader(`{"model":"claude-test","messages":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env anthropic.ErrorResponse
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || resp.StatusCode != 400 || env.Error.Message != "max_tokens: Field required" {
		t.Errorf("%d %+v %v", resp.StatusCode, env, err)
	}
	var jl list[journalEntry]
	getJSON(t, ts, "/__oaimock/journal", &jl)
	if len(jl.Data) != 2 || jl.Data[0].API != "messages" || jl.Data[0].Rule != "claude thinking" || jl.Data[1].Status != 400 {
		t.Errorf("journal %+v", jl.Data)
	}
}
