package relay

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/internal/jsonx"
)

// fieldCases are usage objects, tool-call arrays and strings at the edges:
// nulls, duplicates, wrong types, escapes, surrogates, unknown members.
var fieldCases = []string{
	`{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}`,
	`{"prompt_tokens":3,"prompt_tokens_details":{"cached_tokens":2,"audio_tokens":1},"completion_tokens_details":{"reasoning_tokens":5,"accepted_prediction_tokens":1,"rejected_prediction_tokens":2,"audio_tokens":3}}`,
	`{"prompt_tokens_details":{"cached_tokens":2},"prompt_tokens_details":{"audio_tokens":1}}`,
	`{"prompt_tokens_details":{"cached_tokens":2},"prompt_tokens_details":null}`,
	`{"prompt_tokens":null,"x":[1,{"y":2}],"completion_tokens":-0}`,
	`{"prompt_tokens":"3"}`, `{"prompt_tokens":3.5}`, `{"prompt_tokens":1e2}`, `{"prompt_tokens":99999999999999999999}`,
	`{"prompt_tokens_details":[]}`, `{"completion_tokens_details":"x"}`, `[]`, `"x"`, `null`, `1`,
	`[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]`,
	`[{"index":1,"function":{"arguments":"\u00e9\ud83d\ude00\ud800x\\n"}},null,{"id":null,"function":null}]`,
	`[{"index":"0"}]`, `[{"id":5}]`, `[{"function":{"name":[]}}]`, `[{"function":[]}]`, `[1]`, `{"a":1}`,
	`[{"index":0,"index":2,"id":"a","id":"b"}]`, `[]`,
	`"plain"`, `"tab\tnew\nquote\"slash\/back\\u\u0041"`, `"\ud83d"`, `"\ud83dx"`, `"\ud83d\u0041"`, `"\udc00\ud83d\ude00"`,
	"\"\xff\xfe\"", "\"a\xe2\x82\"",
}

// normal replaces each invalid UTF-8 byte with U+FFFD, as encoding/json's
// decoder does and the relay's output encoding does.
func normal(s string) string { return string([]rune(s)) }

// TestFieldDecoders holds the hand-written decoders to encoding/json on the
// edge cases.
func TestFieldDecoders(t *testing.T) {
	for _, s := range fieldCases {
		checkFieldDecoders(t, []byte(s))
	}
}

// FuzzFieldDecoders: parseUsage, parseToolCalls and unquote decode any valid
// JSON as encoding/json does into the same types, and fail when it fails.
func FuzzFieldDecoders(f *testing.F) {
	for _, s := range fieldCases {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkFieldDecoders(t, b) })
}

func checkFieldDecoders(t *testing.T, b []byte) {
	t.Helper()
	if !jsonx.Valid(b) {
		return
	}
	b = trimWS(b)
	if b[0] == '{' {
		var got, want oaicompat.Usage
		gotErr, wantErr := parseUsage(b, &got), json.Unmarshal(b, &want)
		if (gotErr != nil) != (wantErr != nil) || wantErr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("usage %s: got %+v (%v), encoding/json %+v (%v)", b, got, gotErr, want, wantErr)
		}
	}
	if b[0] == '[' {
		var want []toolCallChunk
		got, gotErr := parseToolCalls(b, nil)
		wantErr := json.Unmarshal(b, &want)
		if (gotErr != nil) != (wantErr != nil) {
			t.Fatalf("tool calls %s: error %v, encoding/json %v", b, gotErr, wantErr)
		}
		if wantErr == nil {
			for i := range got {
				got[i].ID, got[i].Type = normal(got[i].ID), normal(got[i].Type)
				got[i].Function.Name, got[i].Function.Arguments = normal(got[i].Function.Name), normal(got[i].Function.Arguments)
			}
			if len(got) != len(want) || len(got) > 0 && !reflect.DeepEqual(got, want) {
				t.Fatalf("tool calls %s: got %+v, encoding/json %+v", b, got, want)
			}
		}
	}
	if b[0] == '"' {
		var want string
		got, gotErr := unquote(b)
		wantErr := json.Unmarshal(b, &want)
		if gotErr != nil || wantErr != nil || normal(got) != want {
			t.Fatalf("string %s: got %q (%v), encoding/json %q (%v)", b, got, gotErr, want, wantErr)
		}
	}
}

func trimWS(b []byte) []byte {
	b = b[jsonx.SkipSpace(b, 0):]
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
