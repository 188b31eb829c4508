package oaitest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"

	"github.com/oaicompat/oaicompat/oaitest"
)

// post sends a raw JSON body to the mock's chat endpoint.
func post(t *testing.T, m *oaitest.Mock, path, body string) (int, string) {
	t.Helper()
	resp, err := m.HTTPClient().Post(m.URL()+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sb strings.Builder
	if _, err := io.Copy(&sb, resp.Body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, sb.String()
}

// TestStrict checks that each violation is answered 400 in OpenAI's shape
// and fails the test with a path-precise message.
func TestStrict(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		body  string
		param string // in the 400 body; "" for null
		fail  []string
	}{
		{name: "spec violation (shared validator)",
			body:  `{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":3}`,
			param: "temperature", fail: []string{"request #1", "temperature:", "rejected with 400"}},
		{name: "tool message answers no earlier call",
			body: `{"model":"m","messages":[{"role":"user","content":"hi"},` +
				`{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},` +
				`{"role":"tool","tool_call_id":"call_1","content":"ok"},{"role":"tool","tool_call_id":"call_9","content":"?"}]}`,
			param: "messages[3].tool_call_id", fail: []string{"messages[3].tool_call_id", "'call_9'", "rejected with 400"}},
		{name: "tool call left unanswered",
			body: `{"model":"m","messages":[{"role":"user","content":"hi"},` +
				`{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}},{"id":"call_2","type":"function","function":{"name":"f","arguments":"{}"}}]},` +
				`{"role":"tool","tool_call_id":"call_1","content":"ok"},{"role":"user","content":"and?"}]}`,
			param: "messages[1].role", fail: []string{"messages[1].role", "call_2"}},
		{name: "unknown field",
			body: `{"model":"m","messages":[{"role":"user","content":"hi"}],"top_k":5}`,
			fail: []string{"Unrecognized request argument supplied: top_k"}},
		{name: "strict tool schema missing required",
			body: `{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","strict":true,` +
				`"parameters":{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["a"],"additionalProperties":false}}}]}`,
			param: "tools[0].function.parameters", fail: []string{"tools[0].function.parameters", "Missing 'b'"}},
		{name: "strict response schema allows additional properties",
			body: `{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"x","strict":true,` +
				`"schema":{"type":"object","properties":{"a":{"type":"object","properties":{}}},"required":["a"],"additionalProperties":false}}}}`,
			param: "response_format", fail: []string{"context=('properties', 'a')", "additionalProperties"}},
		{name: "parallel_tool_calls without tools",
			body:  `{"model":"m","messages":[{"role":"user","content":"hi"}],"parallel_tool_calls":false}`,
			param: "parallel_tool_calls", fail: []string{"parallel_tool_calls:"}},
		{name: "unknown route",
			body: `{}`, fail: []string{"rejected with 404", "Invalid URL"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mock, failures := recordingServer(t)
			mock.On(nil).AnyTimes()
			path := "/chat/completions"
			if tc.name == "unknown route" {
				path = "/audio/speech"
			}
			status, body := post(t, mock, path, tc.body)
			want := 400
			if path != "/chat/completions" {
				want = 404
			}
			if status != want {
				t.Fatalf("status %d, body %s", status, body)
			}
			var env struct {
				Error struct {
					Message, Type string
					Param         *string
				}
			}
			if err := json.Unmarshal([]byte(body), &env); err != nil || env.Error.Type != "invalid_request_error" {
				t.Fatalf("body %s: %v", body, err)
			}
			if got := deref(env.Error.Param); got != tc.param {
				t.Errorf("param = %q, want %q", got, tc.param)
			}
			expectFailure(t, failures(), tc.fail...)
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestLenient: unknown fields pass in lenient mode (the handler still
// answers spec violations 400, as OpenAI does, without failing the test).
func TestLenient(t *testing.T) {
	t.Parallel()
	mock, failures := recordingServer(t, oaitest.Lenient())
	mock.On(nil).AnyTimes()
	if status, body := post(t, mock, "/chat/completions", `{"model":"m","messages":[{"role":"user","content":"?"}],"top_k":1}`); status != 200 {
		t.Errorf("status %d: %s", status, body)
	}
	if status, _ := post(t, mock, "/chat/completions", `{"model":"m","messages":[],"top_k":1}`); status != 400 {
		t.Errorf("spec violation status %d", status)
	}
	if f := failures(); len(f) != 0 {
		t.Errorf("failures: %q", f)
	}
}

func TestAllowUnknownFields(t *testing.T) {
	t.Parallel()
	mock, failures := recordingServer(t, oaitest.AllowUnknownFields())
	mock.On(nil)
	if status, body := post(t, mock, "/chat/completions", `{"model":"m","messages":[{"role":"user","content":"hi"}],"top_k":1}`); status != 200 {
		t.Errorf("status %d: %s", status, body)
	}
	if f := failures(); len(f) != 0 {
		t.Errorf("failures: %q", f)
	}
	if got := mock.LastRequest().Chat.Extra["top_k"]; string(got) != "1" {
		t.Errorf("Extra[top_k] = %s", got)
	}
}

// TestStrictThroughSDK: a client bug (a tool message for a call never
// made) surfaces as a BadRequestError in the SDK and a test failure.
func TestStrictThroughSDK(t *testing.T) {
	t.Parallel()
	mock, failures := recordingServer(t)
	mock.On(nil).AnyTimes()
	p := chatParams(replyCase{})
	p.Messages = append(p.Messages, openai.ToolMessage("22°C", "call_missing"))
	client := newOpenAI(mock)
	_, err := client.Chat.Completions.New(context.Background(), p)
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Param != "messages[2].role" {
		t.Fatalf("err = %v", err)
	}
	expectFailure(t, failures(), "request #1", "messages[2].role", "must be a response to a preceeding message with 'tool_calls'")
}
