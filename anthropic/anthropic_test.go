package anthropic_test

import (
	"encoding/json"
	"testing"

	"github.com/oaicompat/oaicompat/anthropic"
)

// TestRequestRoundTrip: a request decodes into the typed fields, and every
// block and tool re-encodes byte for byte, unknown ones included.
func TestRequestRoundTrip(t *testing.T) {
	body := `{"model":"m","max_tokens":0,"system":[{"type":"text","text":"S","cache_control":{"type":"ephemeral"}}],` +
		`"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[` +
		`{"type":"thinking","thinking":"t","signature":"c2ln"},` +
		`{"type":"tool_use","id":"toolu_1","name":"f","input":{"a":1}},` +
		`{"type":"web_search_tool_result","tool_use_id":"s","content":{"type":"web_search_tool_result_error","error_code":"x"}}]},` +
		`{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","is_error":true,"content":[{"type":"text","text":"r"}]}]}],` +
		`"tools":[{"name":"f","input_schema":{"type":"object"},"eager_input_streaming":true},{"type":"web_search_20250305","name":"web_search","max_uses":3}],` +
		`"tool_choice":{"type":"any","disable_parallel_tool_use":true},"thinking":{"type":"enabled","budget_tokens":1024}}`
	var r anthropic.Request
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	if r.MaxTokens == nil || *r.MaxTokens != 0 || r.System.Text("") != "S" || !r.Messages[0].Content.IsString() ||
		r.ToolChoice.Type != anthropic.ToolChoiceAny || !*r.ToolChoice.DisableParallelToolUse || *r.Thinking.BudgetTokens != 1024 {
		t.Fatalf("decoded %+v", r)
	}
	blocks := r.Messages[1].Content.Blocks()
	if blocks[0].Signature != "c2ln" || string(blocks[1].Input) != `{"a":1}` || blocks[2].Type != "web_search_tool_result" || blocks[2].Content != nil {
		t.Errorf("blocks %+v", blocks)
	}
	if res := r.Messages[2].Content.Blocks()[0]; !*res.IsError || res.Content.Text("") != "r" {
		t.Errorf("tool_result %+v", res)
	}
	if r.Tools[1].IsCustom() || !r.Tools[0].IsCustom() {
		t.Errorf("tools %+v", r.Tools)
	}
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	_ = json.Unmarshal([]byte(body), &a)
	_ = json.Unmarshal(out, &b)
	if ja, jb := mustJSON(a), mustJSON(b); ja != jb {
		t.Errorf("round trip\n got %s\nwant %s", jb, ja)
	}
}

// TestBlockShapes: blocks built from fields encode every member of their
// type, even when empty; deltas too.
func TestBlockShapes(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{anthropic.ContentBlock{Type: anthropic.BlockText}, `{"type":"text","text":""}`},
		{anthropic.ContentBlock{Type: anthropic.BlockThinking}, `{"type":"thinking","thinking":"","signature":""}`},
		{anthropic.ContentBlock{Type: anthropic.BlockToolUse, ID: "toolu_1", Name: "f"}, `{"type":"tool_use","id":"toolu_1","name":"f","input":{}}`},
		{anthropic.ContentBlock{Type: anthropic.BlockRedactedThinking, Data: "x"}, `{"type":"redacted_thinking","data":"x"}`},
		{anthropic.BlockDelta{Type: anthropic.DeltaText}, `{"type":"text_delta","text":""}`},
		{anthropic.BlockDelta{Type: anthropic.DeltaInputJSON, PartialJSON: `{"a"`}, `{"type":"input_json_delta","partial_json":"{\"a\""}`},
		{anthropic.TextContent("hi"), `"hi"`},
		{anthropic.BlocksContent(), `[]`},
		{anthropic.Content{}, `null`},
	}
	for _, tt := range tests {
		got, err := json.Marshal(tt.v)
		if err != nil || string(got) != tt.want {
			t.Errorf("%+v: %s (%v), want %s", tt.v, got, err, tt.want)
		}
	}
}

// TestContentType: content that is neither a string nor a list is an
// error.
func TestContentType(t *testing.T) {
	var c anthropic.Content
	if err := json.Unmarshal([]byte(`{"type":"text"}`), &c); err == nil {
		t.Error("an object decoded as content")
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
