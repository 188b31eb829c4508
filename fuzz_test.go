package oaicompat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/oaicompat/oaicompat"
)

var fuzzSeeds = []string{
	`{"model":"m","messages":[{"role":"user","content":"hi"}]}`,
	`{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"data:,","detail":"low"}}]}],"temperature":0,"n":2}`,
	`{"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"},"strict":true}}],"tool_choice":{"type":"function","function":{"name":"f"}}}`,
	`{"model":"m","messages":[{"role":"user","content":"x"}],"stop":["a","b"],"stream":true,"stream_options":{"include_usage":true},"top_k":3,"logit_bias":{"50256":-100}}`,
	`{"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"name":"s","schema":{"type":"object"},"strict":true}}}`,
	`{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":"1","n":1.5,"max_tokens":-1}`,
	`{"model":"m","messages":[{"role":"developer","content":"\u00e9\ud83d\ude00"}],"metadata":{"k":"v"}}`,
	`{"model":null,"messages":null}`,
	`[]`, `{`, `{"a":}`, ``, `{"model":"m","messages":[{"role":"user","content":"x"}]} trailing`,
}

// FuzzDecodeValidate feeds arbitrary bodies to the chat endpoint: the answer
// is always 200 or a 4xx OpenAI error envelope, never a panic or a 500.
func FuzzDecodeValidate(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	h := oaicompat.NewHandler(oaicompat.ChatFunc(func(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		if _, err := json.Marshal(req); err != nil { // a decoded request always re-encodes
			return err
		}
		return w.WriteText("ok")
	}), oaicompat.WithKeepAlive(0), oaicompat.WithMaxRequestBytes(1<<16),
		oaicompat.WithoutOutputChecks()) // the backend ignores what the request asks for
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/chat/completions", bytes.NewReader(body)))
		checkRefusal(t, rec, body)
	})
}

// checkRefusal checks an answer that is not a 200: a 400 or 413 in the
// OpenAI error envelope, never a 500.
func checkRefusal(t *testing.T, rec *httptest.ResponseRecorder, body []byte) {
	t.Helper()
	if rec.Code == http.StatusOK {
		return
	}
	if rec.Code != 400 && rec.Code != 413 {
		t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
	}
	var env struct {
		Error *struct {
			Message string  `json:"message"`
			Type    string  `json:"type"`
			Param   *string `json:"param"`
			Code    *string `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Error == nil || env.Error.Type != "invalid_request_error" || env.Error.Message == "" {
		t.Fatalf("bad error body %q for %q", rec.Body, body)
	}
}

// FuzzCompletions feeds arbitrary bodies to the legacy completions
// endpoint, which translates each prompt onto the chat backend: the answer,
// streamed or not, is a text_completion (or its events, ending in [DONE])
// with a choice for each prompt and n, or a 4xx error envelope.
func FuzzCompletions(f *testing.F) {
	for _, s := range []string{
		`{"model":"m","prompt":"Say hi"}`,
		`{"model":"m","prompt":["a","b"],"n":2,"echo":true,"max_tokens":5,"logprobs":2}`,
		`{"model":"m","prompt":[1,2,3],"stream":true,"stream_options":{"include_usage":true}}`,
		`{"model":"m","prompt":[[1],[2,3]],"max_tokens":0,"echo":true}`,
		`{"model":"m","prompt":"x","suffix":"y","best_of":2,"stop":"\n","temperature":3}`,
		`{"model":"m","prompt":[],"n":0}`, `{"model":"m"}`, `{"prompt":"x"}`, `[]`, ``,
	} {
		f.Add([]byte(s))
	}
	h := oaicompat.NewHandler(oaicompat.ChatFunc(func(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		if _, err := json.Marshal(req); err != nil { // a translated request always encodes
			return err
		}
		return w.WriteText("ok " + req.LastUserMessage())
	}), oaicompat.WithKeepAlive(0), oaicompat.WithMaxRequestBytes(1<<16), oaicompat.WithoutOutputChecks())
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/completions", bytes.NewReader(body)))
		checkRefusal(t, rec, body)
		if rec.Code != http.StatusOK {
			return
		}
		out := rec.Body.String()
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/event-stream") {
			events := strings.Split(strings.TrimSuffix(out, "\n\n"), "\n\n")
			if events[len(events)-1] != "data: [DONE]" {
				t.Fatalf("stream for %q does not end in [DONE]: %q", body, out)
			}
			for _, ev := range events[:len(events)-1] {
				var c struct{ Object string }
				if err := json.Unmarshal([]byte(strings.TrimPrefix(ev, "data: ")), &c); err != nil || c.Object != "text_completion" {
					t.Fatalf("event %q for %q", ev, body)
				}
			}
			return
		}
		var c struct {
			Object  string
			Choices []struct{ Index int }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil || c.Object != "text_completion" || len(c.Choices) == 0 {
			t.Fatalf("answer %q for %q", out, body)
		}
		for i, ch := range c.Choices {
			if ch.Index != i {
				t.Fatalf("choice %d has index %d for %q", i, ch.Index, body)
			}
		}
	})
}

// FuzzDecodeDifferential guards against goccy/go-json decoder bugs: goccy and
// encoding/json must agree on every request body, both on whether it decodes
// and on the result.
func FuzzDecodeDifferential(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte("{\"model\":\"m\x01\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}"))
	f.Add([]byte("{\"model\":\"m\",\n\t\"messages\":[{\"role\":\"user\",\"content\":\"a\nb\"}]}"))
	f.Fuzz(func(t *testing.T, body []byte) {
		var std oaicompat.ChatRequest
		errStd := json.Unmarshal(body, &std)
		fast, errFast := oaicompat.DecodeChat(body) // what the handler decodes
		if errFast != nil {
			if errStd == nil && utf8.Valid(body) && !hasCaseVariantKey(body) && bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
				t.Fatalf("the handler rejects %q (%v), which encoding/json accepts", body, errFast)
			}
			return
		}
		if errStd != nil {
			t.Fatalf("the handler accepts %q, which encoding/json rejects: %v", body, errStd)
		}
		fast.Raw, fast.Extra = nil, nil
		if !reflect.DeepEqual(fast, std) {
			t.Fatalf("decoders disagree on %q:\ngoccy: %#v\nstd:   %#v", body, fast, std)
		}
	})
}

// FuzzChatStream drives the chat streamer with arbitrary delta sequences; the
// output must always satisfy every stream invariant.
func FuzzChatStream(f *testing.F) {
	f.Add([]byte("ttTtf"), uint8(1))
	f.Add([]byte("cAaaCaRx"), uint8(2))
	f.Add([]byte("rtcaE"), uint8(1))
	f.Add([]byte(""), uint8(3))
	f.Fuzz(func(t *testing.T, script []byte, n uint8) {
		if len(script) > 64 {
			return // longer scripts only repeat shorter ones, and minimise slowly
		}
		choices := int(n%4) + 1
		backend := scriptBackend{}
		calls := make([]int, choices)
		finished := make([]bool, choices)
		for i, op := range script {
			ch := i % choices
			if finished[ch] {
				continue // a well-behaved backend writes nothing after Finish
			}
			switch op % 8 {
			case 0, 1:
				backend.deltas = append(backend.deltas, text(ch, string(script[i:min(i+3, len(script))])))
			case 2: // start a call, maybe with its arguments at once
				backend.deltas = append(backend.deltas, call(ch, calls[ch], "", "fn", strings.Repeat("{", int(op%2))))
				calls[ch]++
			case 3:
				if calls[ch] > 0 {
					backend.deltas = append(backend.deltas, call(ch, calls[ch]-1, "", "", "\"x\u00e9"))
				}
			case 4:
				backend.deltas = append(backend.deltas, scripted{ch, oaicompat.Delta{Refusal: "no"}})
			case 5:
				backend.deltas = append(backend.deltas, scripted{ch, oaicompat.Delta{FinishReason: "length"}})
				finished[ch] = true
			case 6:
				backend.usage = &oaicompat.Usage{PromptTokens: int(op), CompletionTokens: i}
			case 7:
				backend.err = oaicompat.ServerError("late failure")
			}
		}
		h := oaicompat.NewHandler(backend, oaicompat.WithKeepAlive(0), oaicompat.WithoutOutputChecks()) // arbitrary deltas: the streamer, not the guard
		rec := httptest.NewRecorder()
		body := `{"model":"m","stream":true,"stream_options":{"include_usage":true},"n":` + string(rune('0'+choices)) + `,"messages":[{"role":"user","content":"x"}]}`
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(body)))
		if rec.Code != 200 && !(backend.err != nil && len(backend.deltas) == 0 && rec.Code == 500) {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if rec.Code != 200 {
			return
		}
		checkChatStream(t, rec.Body.String())
	})
}

// hasCaseVariantKey reports a top-level key that differs from a ChatRequest
// field name only in case; the handler rejects those as unrecognized.
func hasCaseVariantKey(body []byte) bool {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return false
	}
	rt := reflect.TypeOf(oaicompat.ChatRequest{})
	for k := range top {
		for i := 0; i < rt.NumField(); i++ {
			name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			if k != name && strings.EqualFold(k, name) {
				return true
			}
		}
	}
	return false
}
