package responses_test

import (
	"encoding/json"
	"testing"

	"github.com/oaicompat/oaicompat/responses"
	"github.com/oaicompat/oaicompat/responses/storetest"
)

// TestInputItemJSON pins the encoding of each input item type: exactly the
// fields of its type (no "output": null on a message, no "content" on a
// function call).
func TestInputItemJSON(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{`{"role":"user","content":"hi"}`,
			`{"type":"message","role":"user","content":"hi"}`},
		{`{"type":"message","id":"msg_1","role":"user","status":"completed","content":[{"type":"input_text","text":"hi"}]}`,
			`{"type":"message","id":"msg_1","role":"user","content":[{"type":"input_text","text":"hi"}],"status":"completed"}`},
		{`{"type":"message","role":"assistant","content":[{"type":"output_text","text":"a","annotations":[]}]}`,
			`{"type":"message","role":"assistant","content":[{"type":"output_text","text":"a","annotations":[]}]}`},
		{`{"type":"function_call","id":"fc_1","call_id":"call_1","name":"f","arguments":"{}","status":"completed"}`,
			`{"type":"function_call","id":"fc_1","call_id":"call_1","name":"f","arguments":"{}","status":"completed"}`},
		{`{"type":"function_call_output","call_id":"call_1","output":"22C"}`,
			`{"type":"function_call_output","call_id":"call_1","output":"22C"}`},
		{`{"type":"function_call_output","call_id":"call_1","output":[{"type":"input_text","text":"22C"}]}`,
			`{"type":"function_call_output","call_id":"call_1","output":[{"type":"input_text","text":"22C"}]}`},
		{`{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"hmm"}],"encrypted_content":"xyz"}`,
			`{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"hmm"}],"encrypted_content":"xyz"}`},
		{`{"type":"reasoning","id":"rs_1","summary":[]}`,
			`{"type":"reasoning","id":"rs_1","summary":[]}`},
		{`{"type":"item_reference","id":"msg_1"}`,
			`{"type":"item_reference","id":"msg_1"}`},
		{`{"type":"web_search_call","id":"ws_1","status":"completed","action":{"type":"search","query":"q"}}`,
			`{"type":"web_search_call","id":"ws_1","status":"completed","action":{"type":"search","query":"q"}}`},
	}
	for _, tt := range tests {
		var it responses.InputItem
		if err := json.Unmarshal([]byte(tt.in), &it); err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		got, err := json.Marshal(it)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tt.want {
			t.Errorf("%s\n got: %s\nwant: %s", tt.in, got, tt.want)
		}
	}
}

func TestInputItemIsReference(t *testing.T) {
	for in, want := range map[string]bool{
		`{"type":"item_reference","id":"msg_1"}`:     true,
		`{"id":"msg_1"}`:                             true, // openai-go sends the type only when set
		`{"type":"item_reference"}`:                  true, // missing id: validation names it
		`{"id":"msg_1","role":"user","content":"x"}`: false,
		`{"role":"user","content":"x"}`:              false,
		`{"type":"message","id":"msg_1"}`:            false,
	} {
		var it responses.InputItem
		if err := json.Unmarshal([]byte(in), &it); err != nil {
			t.Fatal(err)
		}
		if it.IsReference() != want {
			t.Errorf("%s: IsReference %v", in, !want)
		}
	}
}

// TestStoredRoundTrip checks that a responses.Stored survives its encoding byte for
// byte, so that GET answers what POST answered.
func TestStoredRoundTrip(t *testing.T) {
	effort := "low"
	prev := "resp_0"
	s := storetest.Response("resp_1", 5)
	s.Response.PreviousResponseID = &prev
	s.Response.Reasoning = responses.Reasoning{Effort: &effort}
	s.Response.Metadata = map[string]string{"k": "v"}
	s.Response.Tools = []json.RawMessage{json.RawMessage(`{"type":"function","name":"f","description":null,"parameters":null,"strict":null}`)}
	s.Response.ToolChoice = responses.ToolChoice{Mode: "auto"}
	s.Response.Text = responses.TextConfig{Format: &responses.TextFormat{Type: "text"}, Verbosity: "medium"}
	s.Response.Output = append(s.Response.Output,
		responses.OutputItem{Type: "function_call", ID: "fc_1", Status: responses.StatusCompleted, CallID: "call_1", Name: "f", Arguments: `{"a":1}`},
		responses.OutputItem{Type: "reasoning", ID: "rs_1", Status: responses.StatusCompleted, Summary: "thought", EncryptedContent: "enc"})
	s.Input = append(s.Input,
		responses.InputItem{Type: "function_call_output", ID: "fco_1", CallID: "call_0", Output: responses.TextContent("22C"), Status: responses.StatusCompleted},
		responses.InputItem{Type: "reasoning", ID: "rs_0", Summary: []json.RawMessage{json.RawMessage(`{"type":"summary_text","text":"t"}`)}})
	first, err := s.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var back responses.Stored
	if err := back.UnmarshalJSON(first); err != nil {
		t.Fatal(err)
	}
	second, err := back.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(first) != string(second) {
		t.Errorf("round trip differs:\n%s\n%s", first, second)
	}
	want := []string{"in_resp_1", "fco_1", "rs_0", "msg_resp_1", "fc_1", "rs_1"}
	if got := back.ItemIDs(); len(got) != len(want) {
		t.Errorf("ItemIDs = %v, want %v", got, want)
	} else {
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("ItemIDs = %v, want %v", got, want)
				break
			}
		}
	}
}
