package oaicompat

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/oaicompat/oaicompat/internal/jsonx"
)

// FuzzDecodeChatFast checks the fast chat decoder against the general path:
// whatever it accepts, the general path accepts too, with the same request
// and the same Extra. Its seed corpus is in testdata/fuzz/FuzzDecodeChatFast.
func FuzzDecodeChatFast(f *testing.F) {
	f.Add(typicalRequest)
	for _, tt := range fastDecodeCases {
		f.Add([]byte(tt.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !utf8.Valid(body) {
			return // decodeRequest refuses it before either decoder runs
		}
		var fast ChatRequest
		extraFast, ok := decodeChatFast(body, &fast)
		if !ok {
			return // the general path decodes it
		}
		var general ChatRequest
		extraGeneral, err := decodeGeneral(body, &general, nil)
		if err != nil {
			t.Fatalf("the fast path accepts %q, which the general path refuses: %v", body, err)
		}
		if !reflect.DeepEqual(fast, general) {
			t.Fatalf("decoders disagree on %q:\nfast:    %#v\ngeneral: %#v", body, fast, general)
		}
		if !reflect.DeepEqual(extraFast, extraGeneral) {
			t.Fatalf("Extra differs on %q:\nfast:    %q\ngeneral: %q", body, extraFast, extraGeneral)
		}
	})
}

// fastDecodeCases are bodies the fast path must decode itself (fast true)
// or leave to the general path.
var fastDecodeCases = []struct {
	name string
	body string
	fast bool
}{
	{"minimal", `{"model":"m","messages":[{"role":"user","content":"hi"}]}`, true},
	{"typical", string(typicalRequest), true},
	{"scalars", `{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":0,"top_p":0.5,"n":2,"max_tokens":7,"presence_penalty":-1.5e0,"frequency_penalty":1,"logprobs":true,"top_logprobs":3,"seed":-42,"store":false,"user":"u","safety_identifier":"s","prompt_cache_key":"k","prompt_cache_retention":"24h","reasoning_effort":"low","verbosity":"high","service_tier":"auto"}`, true},
	{"unknown fields reach Extra", `{"model":"m","top_k":3,"messages":[{"role":"user","content":"x"}],"min_p":{"a":[1,null]}}`, true},
	{"escapes", `{"model":"m\u00e9\n","messages":[{"role":"user","content":"a\"b\\c\/\t\u0000"}]}`, true},
	{"parts without text", `{"model":"m","messages":[{"role":"user","content":[{"type":"text"},{"type":"text","text":""}]}]}`, true},
	{"empty arrays", `{"model":"m","messages":[],"tools":[]}`, true},
	{"whitespace", " {\n\t\"model\" : \"m\" ,\r\n\"messages\":[ ] } \n", true},
	{"parallel tool calls", `{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f"}}],"parallel_tool_calls":false,"tool_choice":"required"}`, true},
	{"image part", `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:,"}}]}]}`, false},
	{"tool choice object", `{"model":"m","messages":[],"tool_choice":{"type":"function","function":{"name":"f"}}}`, false},
	{"stop", `{"model":"m","messages":[],"stop":"x"}`, false},
	{"null model", `{"model":null,"messages":[]}`, false},
	{"duplicate key", `{"model":"a","model":"b","messages":[]}`, false},
	{"escaped key", `{"mod\u0065l":"a","messages":[]}`, false},
	{"case variant", `{"Model":"a","messages":[]}`, false},
	{"decimal integer", `{"model":"m","messages":[],"n":1.0}`, false},
	{"surrogate escape", `{"model":"\ud83d\ude00","messages":[]}`, false},
	{"message field it does not model", `{"model":"m","messages":[{"role":"assistant","content":"x","refusal":"no"}]}`, false},
	{"invalid JSON", `{"model":"m","messages":[}`, false},
	{"trailing data", `{"model":"m","messages":[]} x`, false},
	{"control character", "{\"model\":\"a\x01\",\"messages\":[]}", false},
}

func TestDecodeChatFast(t *testing.T) {
	for _, tt := range fastDecodeCases {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			var fast ChatRequest
			extraFast, ok := decodeChatFast(body, &fast)
			if ok != tt.fast {
				t.Fatalf("fast path taken: %v, want %v", ok, tt.fast)
			}
			if !ok {
				return
			}
			var general ChatRequest
			extraGeneral, err := decodeGeneral(body, &general, nil)
			if err != nil {
				t.Fatalf("general path: %v", err)
			}
			if !reflect.DeepEqual(fast, general) {
				t.Fatalf("decoders disagree:\nfast:    %#v\ngeneral: %#v", fast, general)
			}
			if !reflect.DeepEqual(extraFast, extraGeneral) {
				t.Fatalf("Extra: fast %q, general %q", extraFast, extraGeneral)
			}
		})
	}
}

// TestScanDepth: both decoders refuse a body nested past encoding/json's
// limit, and not one level sooner.
func TestScanDepth(t *testing.T) {
	for _, n := range []int{jsonx.MaxDepth - 1, jsonx.MaxDepth} { // levels inside the top-level object
		body := []byte(`{"model":"m","messages":[{"role":"user","content":"hi"}],"x":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`)
		want := json.Valid(body)
		if _, err := extraFields(body, chatKnown); (err == nil) != want {
			t.Errorf("extraFields with %d levels in a member: err %v, json.Valid says %v", n+1, err, want)
		}
		var req ChatRequest
		if _, ok := decodeChatFast(body, &req); ok != want {
			t.Errorf("decodeChatFast with %d levels in a member: ok %v, json.Valid says %v", n+1, ok, want)
		}
	}
}
