package relay

import (
	"encoding/json"
	"testing"

	"github.com/oaicompat/oaicompat"
)

func TestSetMembers(t *testing.T) {
	set := map[string][]byte{"model": []byte(`"up"`), "stream_options": nil, "x": []byte(`1`)}
	names := []string{"model", "stream_options", "x"}
	for _, tc := range []struct{ in, want string }{
		{`{"model":"a","messages":[]}`, `{"model":"up","messages":[],"x":1}`},
		{`{"messages":[] , "model" : "a" }`, `{"messages":[] , "model" : "up","x":1 }`},
		{`{}`, `{"model":"up","x":1}`},
		{` { } `, ` {"model":"up","x":1 } `},
		{`{"stream_options":{"include_usage":false}}`, `{"model":"up","x":1}`},
		{`{"a":1,"stream_options":null}`, `{"a":1,"model":"up","x":1}`},
		{`{"stream_options":null,"a":1}`, `{"a":1,"model":"up","x":1}`},
		{`{"a":1,"stream_options":null,"b":2}`, `{"a":1,"b":2,"model":"up","x":1}`},
		{`{"model":"a","model":"b"}`, `{"model":"up","model":"up","x":1}`},
		{`{"mod\u0065l":"a","top_k":1.50e1,"s":"}\"{"}`, `{"mod\u0065l":"up","top_k":1.50e1,"s":"}\"{","x":1}`},
		{"{\n  \"model\": \"a\"\n}\n", "{\n  \"model\": \"up\",\"x\":1\n}\n"},
	} {
		got, err := setMembers([]byte(tc.in), names, set)
		if err != nil || string(got) != tc.want {
			t.Errorf("%s:\n got %s, %v\nwant %s", tc.in, got, err, tc.want)
		}
		if err == nil && !json.Valid(got) {
			t.Errorf("%s: invalid JSON %s", tc.in, got)
		}
	}
	for _, bad := range []string{``, `[]`, `{"a"`, `{"a":}`, `"x"`} {
		if _, err := setMembers([]byte(bad), names, set); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestChatBody(t *testing.T) {
	yes := true
	for _, tc := range []struct {
		name string
		req  oaicompat.ChatRequest
		want string
	}{
		{"chat, not streamed", oaicompat.ChatRequest{Raw: json.RawMessage(`{"model":"c","messages":[{"role":"user","content":"hi"}],"top_k":5,"stream_options":{"include_usage":true}}`)},
			`{"model":"up","messages":[{"role":"user","content":"hi"}],"top_k":5}`},
		{"chat, streamed", oaicompat.ChatRequest{Stream: true, Raw: json.RawMessage(`{"model":"c","messages":[],"stream":true,"min_p":0.1}`)},
			`{"model":"up","messages":[],"stream":true,"min_p":0.1,"stream_options":{"include_usage":true}}`},
		{"chat, streamed, client options kept", oaicompat.ChatRequest{Stream: true, Raw: json.RawMessage(`{"messages":[],"stream":true,"stream_options":{"include_obfuscation":false,"include_usage":false}}`)},
			`{"messages":[],"stream":true,"stream_options":{"include_obfuscation":false,"include_usage":true},"model":"up"}`},
		{"translated from legacy completions", oaicompat.ChatRequest{Model: "c", MaxTokens: new(int), Messages: []oaicompat.Message{{Role: "user", Content: oaicompat.TextContent("p")}},
			Extra: map[string]json.RawMessage{"top_k": json.RawMessage(`3`), "prompt": json.RawMessage(`"p"`), "echo": json.RawMessage(`true`)},
			Raw:   json.RawMessage(`{"model":"c","prompt":"p","top_k":3,"echo":true}`)},
			`{"model":"up","messages":[{"role":"user","content":"p"}],"max_tokens":0,"top_k":3}`},
		{"translated from Responses", oaicompat.ChatRequest{Model: "c", Stream: true, Messages: []oaicompat.Message{{Role: "user", Content: oaicompat.TextContent("p")}},
			Logprobs: &yes, Extra: map[string]json.RawMessage{"store": json.RawMessage(`true`), "min_p": json.RawMessage(`0.05`)},
			Raw: json.RawMessage(`{"model":"c","input":"p","store":true,"min_p":0.05}`)},
			`{"model":"up","messages":[{"role":"user","content":"p"}],"stream":true,"logprobs":true,"min_p":0.05,"stream_options":{"include_usage":true}}`},
		{"no body", oaicompat.ChatRequest{Model: "c", Messages: []oaicompat.Message{{Role: "user", Content: oaicompat.TextContent("p")}}},
			`{"model":"up","messages":[{"role":"user","content":"p"}]}`},
	} {
		got, err := chatBody(&tc.req, "up")
		if err != nil || string(got) != tc.want {
			t.Errorf("%s:\n got %s, %v\nwant %s", tc.name, got, err, tc.want)
		}
	}
}
