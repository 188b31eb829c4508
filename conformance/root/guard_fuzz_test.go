package oaicompat_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
	"github.com/openai/openai-go/v3"
)

// fuzzRequests are the request shapes FuzzOutputGuard picks from.
var fuzzRequests = []func(*openai.ChatCompletionNewParams){
	func(*openai.ChatCompletionNewParams) {}, jsonObjectFormat, strictFormat, withTools,
	toolChoice("none"), toolChoice("required"), forced("lookup"), serial,
}

var (
	fuzzTexts = []string{`{"value":3,`, `"from":"km",`, `"to":"mi"}`, `oops`, `[1]`, `{}`, ` `}
	fuzzNames = []string{"convert", "lookup", "other"}
	fuzzArgs  = []string{`{`, validArgs, `"x"`, `}`, `{"id":"1"}`}
	fuzzEnds  = []string{"stop", "length", "tool_calls"}
)

// FuzzOutputGuard has a backend write arbitrary deltas for various
// requests: whatever the client receives as a success (a 200 answer, a
// stream that ends with [DONE]) obeys the request, and anything else is a
// model_error.
func FuzzOutputGuard(f *testing.F) {
	f.Add([]byte{2, 0, 0, 0, 1, 0, 2})
	f.Add([]byte{3, 1, 0, 2, 1, 1, 1, 2, 4})
	f.Add([]byte{5, 0, 3, 4, 2})
	f.Add([]byte{7, 1, 1, 2, 4, 1, 1})
	f.Fuzz(func(t *testing.T, script []byte) {
		if len(script) == 0 {
			return
		}
		p := openai.ChatCompletionNewParams{Model: "m", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("go")}}
		fuzzRequests[int(script[0])%len(fuzzRequests)](&p)
		backend := oaicompat.ChatFunc(func(_ context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
			calls := 0
			for i := 1; i+1 < len(script); i += 2 {
				arg := int(script[i+1])
				var err error
				switch script[i] % 5 {
				case 0:
					err = w.WriteText(fuzzTexts[arg%len(fuzzTexts)])
				case 1:
					_, err = w.StartToolCall("", fuzzNames[arg%len(fuzzNames)])
					calls++
				case 2:
					if calls > 0 {
						err = w.WriteToolCallArguments(calls-1, fuzzArgs[arg%len(fuzzArgs)])
					}
				case 3:
					err = w.WriteRefusal("no")
				case 4:
					return w.Finish(fuzzEnds[arg%len(fuzzEnds)])
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		h := oaicompat.NewHandler(backend, oaicompat.WithKeepAlive(0))
		for _, stream := range []bool{false, true} {
			body, _ := json.Marshal(p)
			if stream {
				body = append(body[:len(body)-1], `,"stream":true}`...)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(string(body))))
			got, errBody := readAnswer(t, rec.Body.String(), stream)
			switch {
			case rec.Code == 500 || errBody != "":
				if !strings.Contains(errBody+rec.Body.String(), `"type":"model_error"`) {
					t.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			case rec.Code != 200:
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			default:
				checkObeys(t, script[0], got)
			}
		}
	})
}

// readAnswer decodes a chat.completion, or accumulates a stream; errBody is
// an in-band error event.
func readAnswer(t *testing.T, body string, stream bool) (c openai.ChatCompletion, errBody string) {
	if !stream {
		_ = json.Unmarshal([]byte(body), &c)
		return c, ""
	}
	var acc openai.ChatCompletionAccumulator
	for _, ev := range strings.Split(body, "\n\n") {
		data, ok := strings.CutPrefix(ev, "data: ")
		if !ok || data == "[DONE]" {
			continue
		}
		if strings.HasPrefix(data, `{"error"`) {
			return acc.ChatCompletion, data
		}
		var chunk openai.ChatCompletionChunk
		if err := json.Unmarshal([]byte(data), &chunk); err != nil {
			t.Fatalf("bad chunk %q: %v", data, err)
		}
		acc.AddChunk(chunk)
	}
	return acc.ChatCompletion, ""
}

// checkObeys checks an answer delivered as a success against the request
// shape it was for.
func checkObeys(t *testing.T, shape byte, c openai.ChatCompletion) {
	t.Helper()
	shape %= byte(len(fuzzRequests))
	for _, ch := range c.Choices {
		m, cut := ch.Message, ch.FinishReason == "length"
		var names []string
		for i, tc := range m.ToolCalls {
			names = append(names, tc.Function.Name)
			if tc.Function.Name == "convert" && (!cut || i < len(m.ToolCalls)-1) {
				if _, err := oaicompat.Decode[convertArgs](tc.Function.Arguments); err != nil {
					t.Fatalf("strict call sent with bad arguments: %v", err)
				}
			}
			if shape == 0 || tc.Function.Name == "other" {
				t.Fatalf("call of %q sent, which was not offered", tc.Function.Name)
			}
		}
		free := len(m.Content) == 0 && (len(m.ToolCalls) > 0 || m.Refusal != "")
		switch shape {
		case 1:
			var obj map[string]any
			if !cut && !free && json.Unmarshal([]byte(m.Content), &obj) != nil {
				t.Fatalf("json_object answered %q", m.Content)
			}
		case 2:
			if _, err := oaicompat.Decode[convertArgs](m.Content); !cut && !free && err != nil {
				t.Fatalf("strict schema answered %q: %v", m.Content, err)
			}
		case 4:
			if len(names) > 0 {
				t.Fatalf("tool_choice none, calls %v sent", names)
			}
		case 5, 6:
			if !cut && len(names) == 0 {
				t.Fatalf("tool_choice demands a call, none sent")
			}
			if shape == 6 && strings.ReplaceAll(strings.Join(names, ""), "lookup", "") != "" {
				t.Fatalf("tool_choice forces lookup, calls %v sent", names)
			}
		case 7:
			if len(names) > 1 {
				t.Fatalf("parallel_tool_calls false, calls %v sent", names)
			}
		}
	}
}
