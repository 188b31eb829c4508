package main

import (
	"encoding/json"
	"os/exec"
	"reflect"
	"testing"

	"github.com/oaicompat/oaicompat/internal/testenv"
)

// TestNodeAnthropicSDK runs nodetest/claude.mjs, the official
// @anthropic-ai/sdk against the demo, and checks what it saw.
func TestNodeAnthropicSDK(t *testing.T) {
	node, dir := testenv.Node(t, "../../nodetest", "@anthropic-ai/sdk")
	srv, _ := startDemo(t)
	cmd := exec.Command(node, "claude.mjs", srv.URL)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node claude.mjs: %v\n%s", err, out)
	}
	var got struct {
		Answer, Thinking, Thought string
		Stop                      []any
		Tool                      struct {
			Input  map[string]any
			Answer string
		}
		Tokens int
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.Answer != "2+2 equals 4." || got.Thinking != "The question asks for 6*7. Multiplying 6 and 7: 6*7 equals 42." ||
		got.Thought != "6*7 equals 42." || !reflect.DeepEqual(got.Stop, []any{"stop_sequence", "equals", "2+2 "}) ||
		got.Tool.Input["city"] != "Paris" || got.Tool.Answer != "Here is what I found. get_weather for Paris: temperature 22, condition sunny." ||
		got.Tokens != 3 {
		t.Errorf("node saw %s", out)
	}
}
