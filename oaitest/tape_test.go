package oaitest_test

import (
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat/oaitest"
)

// TestTapeRoundTrip: a tape reads back as it was written, JSON bodies
// stored as JSON values and other bodies as strings.
func TestTapeRoundTrip(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, body, stored string
	}{
		{"json object", "{\n  \"model\": \"m\"\n}", `"body": {`},
		{"json array", "[\n  1,\n  2\n]", `"body": [`},
		{"text", "not json {", `"body": "not json {"`},
		{"json string", `"quoted"`, `"body": "\"quoted\""`},
		{"empty", "", ``},
	} {
		tape := &oaitest.Tape{Interactions: []oaitest.Interaction{{
			Request:  oaitest.TapeRequest{Method: "POST", Path: "/v1/x", Body: c.body},
			Response: oaitest.TapeResponse{Status: 200, Body: strings.ReplaceAll(strings.ReplaceAll(c.body, "\n", ""), " ", "")},
		}}}
		b, err := tape.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if c.stored != "" && !strings.Contains(string(b), c.stored) {
			t.Errorf("%s: stored as\n%s", c.name, b)
		}
		back, err := oaitest.ParseTape(b)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := back.Interactions[0]; got.Request.Body != c.body || got.Response.Body != tape.Interactions[0].Response.Body {
			t.Errorf("%s: read back %q / %q", c.name, got.Request.Body, got.Response.Body)
		}
	}
}

// TestTapeHandEdited: a request body edited by hand (compact, keys in any
// order) is canonicalised when read, so it still matches what clients
// send; unknown keys are errors.
func TestTapeHandEdited(t *testing.T) {
	t.Parallel()
	tape, err := oaitest.ParseTape([]byte(`{"interactions":[{"request":{"method":"POST","path":"/v1/chat/completions",
		"body":{"stream":false,"model":"m"}},"response":{"status":200,"body":{"ok": true}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := tape.Interactions[0].Request.Body; got != "{\n  \"model\": \"m\",\n  \"stream\": false\n}" {
		t.Errorf("canonical body %q", got)
	}
	if got := tape.Interactions[0].Response.Body; got != `{"ok":true}` {
		t.Errorf("response body %q", got)
	}
	if _, err := oaitest.ParseTape([]byte(`{"interactions":[{"request":{"verb":"POST"}}]}`)); err == nil || !strings.Contains(err.Error(), `unknown field "verb"`) {
		t.Errorf("unknown key: %v", err)
	}
}
