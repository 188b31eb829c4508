package responses_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/oaicompat/oaicompat/responses"
	"github.com/oaicompat/oaicompat/responses/storetest"
)

// FuzzStoredRoundTrip: whatever input items a request decodes to, the
// Stored that keeps them encodes, decodes and encodes again to the same
// JSON value, so that a store gives back what it was given (and input_items
// lists what the request sent).
func FuzzStoredRoundTrip(f *testing.F) {
	for _, seed := range []string{
		`[{"role":"user","content":"hi"}]`,
		`[{"type":"message","id":"msg_1","role":"assistant","status":"completed","content":[{"type":"output_text","text":"a","annotations":[]},{"type":"refusal","refusal":"no"}]}]`,
		`[{"type":"function_call","call_id":"c","name":"f","arguments":"{\"a\":1}"},{"type":"function_call_output","call_id":"c","output":[{"type":"input_text","text":"22"},{"type":"input_image","image_url":"data:,x","detail":"low"}]}]`,
		`[{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"t"}],"encrypted_content":"e"},{"id":"msg_9"},{"type":"item_reference","id":"x"}]`,
		`[{"type":"web_search_call","id":"ws","status":"completed","action":{"type":"search"}},{"role":"user","content":[{"type":"input_file","file_data":"data:application/pdf;base64,AA","filename":"a.pdf"}]}]`,
		`[{"role":"user","content":"\u2028\ud800 \"q\" \\ \n"}]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var in responses.Input
		if json.Unmarshal(data, &in) != nil || in.IsString() {
			return
		}
		s := storetest.Response("resp_1", 1)
		s.Input = in.Items()
		first, err := s.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(first) {
			t.Fatalf("invalid JSON: %s", first)
		}
		var back responses.Stored
		if err := back.UnmarshalJSON(first); err != nil {
			t.Fatalf("%v decoding %s", err, first)
		}
		second, err := back.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		// Equal as JSON values: invalid UTF-8 in the input is written as
		// \ufffd the first time, and as the character itself the next.
		var a, b any
		if json.Unmarshal(first, &a) != nil || json.Unmarshal(second, &b) != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("round trip differs:\n%s\n%s", first, second)
		}
	})
}
