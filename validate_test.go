package oaicompat_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
)

const okMsgs = `"messages":[{"role":"user","content":"hi"}]`

// TestBadInput sends malformed or out-of-spec requests and checks the exact
// status, error type, code and param of each answer.
func TestBadInput(t *testing.T) {
	t.Parallel()
	srv := serve(t, oaicompat.NewHandler(newTestBackend(), oaicompat.WithMaxRequestBytes(4096)))
	chat, emb, img := "/v1/chat/completions", "/v1/embeddings", "/v1/images/generations"
	tests := []struct {
		name, path, body string
		status           int
		typ, code, param string
	}{
		{"not json", chat, `{"model":`, 400, "invalid_request_error", "", ""},
		{"array body", chat, `[1,2]`, 400, "invalid_request_error", "", ""},
		{"string body", chat, `"hello"`, 400, "invalid_request_error", "", ""},
		{"empty body", chat, ``, 400, "invalid_request_error", "", ""},
		{"trailing garbage", chat, `{"model":"m",` + okMsgs + `} x`, 400, "invalid_request_error", "", ""},
		{"missing model", chat, `{` + okMsgs + `}`, 400, "invalid_request_error", "", "model"},
		{"model not a string", chat, `{"model":5,` + okMsgs + `}`, 400, "invalid_request_error", "invalid_type", "model"},
		{"missing messages", chat, `{"model":"m"}`, 400, "invalid_request_error", "", "messages"},
		{"empty messages", chat, `{"model":"m","messages":[]}`, 400, "invalid_request_error", "empty_array", "messages"},
		{"tool answering no call", chat, `{"model":"m","messages":[{"role":"user","content":"a"},{"role":"tool","tool_call_id":"call_1","content":"x"}]}`,
			400, "invalid_request_error", "", "messages[1].role"},
		{"tool answering another call", chat, `{"model":"m","messages":[{"role":"user","content":"a"},` +
			`{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},` +
			`{"role":"tool","tool_call_id":"call_2","content":"x"}]}`, 400, "invalid_request_error", "", "messages[2].tool_call_id"},
		{"tool call unanswered", chat, `{"model":"m","messages":[{"role":"user","content":"a"},` +
			`{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}},` +
			`{"id":"call_2","type":"function","function":{"name":"f","arguments":"{}"}}]},` +
			`{"role":"tool","tool_call_id":"call_1","content":"x"},{"role":"user","content":"b"}]}`, 400, "invalid_request_error", "", "messages[1].role"},
		{"text part without text", chat, `{"model":"m","messages":[{"role":"user","content":[{"type":"text"}]}]}`,
			400, "invalid_request_error", "", "messages[0].content[0].text"},
		{"logit_bias key not a token", chat, `{"model":"m",` + okMsgs + `,"logit_bias":{"abc":1}}`, 400, "invalid_request_error", "invalid_value", "logit_bias"},
		{"prediction not an object", chat, `{"model":"m",` + okMsgs + `,"prediction":5}`, 400, "invalid_request_error", "invalid_type", "prediction"},
		{"completions without prompt", "/v1/completions", `{"model":"m"}`, 400, "invalid_request_error", "", "prompt"},
		{"raw control character in a string", chat, "{\"model\":\"m\x01\"," + okMsgs + "}", 400, "invalid_request_error", "", ""},
		{"messages not array", chat, `{"model":"m","messages":{}}`, 400, "invalid_request_error", "invalid_type", "messages"},
		{"missing role", chat, `{"model":"m","messages":[{"content":"x"}]}`, 400, "invalid_request_error", "", "messages[0].role"},
		{"unknown role", chat, `{"model":"m","messages":[{"role":"user","content":"a"},{"role":"robot","content":"x"}]}`, 400, "invalid_request_error", "invalid_value", "messages[1].role"},
		{"user without content", chat, `{"model":"m","messages":[{"role":"user"}]}`, 400, "invalid_request_error", "", "messages[0].content"},
		{"content wrong type", chat, `{"model":"m","messages":[{"role":"user","content":5}]}`, 400, "invalid_request_error", "invalid_type", "messages[0].content"},
		{"empty parts", chat, `{"model":"m","messages":[{"role":"user","content":[]}]}`, 400, "invalid_request_error", "", "messages[0].content"},
		{"unknown part type", chat, `{"model":"m","messages":[{"role":"user","content":[{"type":"video"}]}]}`, 400, "invalid_request_error", "invalid_value", "messages[0].content[0].type"},
		{"image part on system", chat, `{"model":"m","messages":[{"role":"system","content":[{"type":"image_url","image_url":{"url":"https://x"}}]}]}`, 400, "invalid_request_error", "invalid_value", "messages[0].content[0].type"},
		{"image part without url", chat, `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]}`, 400, "invalid_request_error", "", "messages[0].content[0].image_url.url"},
		{"bad image detail", chat, `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AA","detail":"ultra"}}]}]}`, 400, "invalid_request_error", "invalid_value", "messages[0].content[0].image_url.detail"},
		{"bad audio format", chat, `{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AA","format":"ogg"}}]}]}`, 400, "invalid_request_error", "invalid_value", "messages[0].content[0].input_audio.format"},
		{"tool without tool_call_id", chat, `{"model":"m","messages":[{"role":"tool","content":"x"}]}`, 400, "invalid_request_error", "", "messages[0].tool_call_id"},
		{"assistant without content or calls", chat, `{"model":"m","messages":[{"role":"assistant"}]}`, 400, "invalid_request_error", "", "messages[0].content"},
		{"assistant tool call without id", chat, `{"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[{"type":"function","function":{"name":"f","arguments":"{}"}}]}]}`, 400, "invalid_request_error", "", "messages[0].tool_calls[0].id"},
		{"temperature high", chat, `{"model":"m",` + okMsgs + `,"temperature":2.5}`, 400, "invalid_request_error", "invalid_value", "temperature"},
		{"temperature negative", chat, `{"model":"m",` + okMsgs + `,"temperature":-0.1}`, 400, "invalid_request_error", "invalid_value", "temperature"},
		{"temperature string", chat, `{"model":"m",` + okMsgs + `,"temperature":"hot"}`, 400, "invalid_request_error", "invalid_type", "temperature"},
		{"top_p high", chat, `{"model":"m",` + okMsgs + `,"top_p":1.5}`, 400, "invalid_request_error", "invalid_value", "top_p"},
		{"n zero", chat, `{"model":"m",` + okMsgs + `,"n":0}`, 400, "invalid_request_error", "invalid_value", "n"},
		{"n too large", chat, `{"model":"m",` + okMsgs + `,"n":129}`, 400, "invalid_request_error", "invalid_value", "n"},
		{"n decimal", chat, `{"model":"m",` + okMsgs + `,"n":1.5}`, 400, "invalid_request_error", "invalid_type", "n"},
		{"presence penalty", chat, `{"model":"m",` + okMsgs + `,"presence_penalty":-3}`, 400, "invalid_request_error", "invalid_value", "presence_penalty"},
		{"frequency penalty", chat, `{"model":"m",` + okMsgs + `,"frequency_penalty":2.01}`, 400, "invalid_request_error", "invalid_value", "frequency_penalty"},
		{"top_logprobs without logprobs", chat, `{"model":"m",` + okMsgs + `,"top_logprobs":3}`, 400, "invalid_request_error", "", "top_logprobs"},
		{"top_logprobs too high", chat, `{"model":"m",` + okMsgs + `,"logprobs":true,"top_logprobs":21}`, 400, "invalid_request_error", "invalid_value", "top_logprobs"},
		{"five stops", chat, `{"model":"m",` + okMsgs + `,"stop":["a","b","c","d","e"]}`, 400, "invalid_request_error", "", "stop"},
		{"stop number", chat, `{"model":"m",` + okMsgs + `,"stop":5}`, 400, "invalid_request_error", "invalid_type", "stop"},
		{"stream_options without stream", chat, `{"model":"m",` + okMsgs + `,"stream_options":{"include_usage":true}}`, 400, "invalid_request_error", "", "stream_options"},
		{"max_tokens zero", chat, `{"model":"m",` + okMsgs + `,"max_tokens":0}`, 400, "invalid_request_error", "invalid_value", "max_tokens"},
		{"bad tool name", chat, `{"model":"m",` + okMsgs + `,"tools":[{"type":"function","function":{"name":"get weather"}}]}`, 400, "invalid_request_error", "", "tools[0].function.name"},
		{"tool name too long", chat, `{"model":"m",` + okMsgs + `,"tools":[{"type":"function","function":{"name":"` + strings.Repeat("a", 65) + `"}}]}`, 400, "invalid_request_error", "", "tools[0].function.name"},
		{"tool without function", chat, `{"model":"m",` + okMsgs + `,"tools":[{"type":"function"}]}`, 400, "invalid_request_error", "", "tools[0].function"},
		{"unknown tool type", chat, `{"model":"m",` + okMsgs + `,"tools":[{"type":"retrieval"}]}`, 400, "invalid_request_error", "invalid_value", "tools[0].type"},
		{"tool_choice unknown function", chat, `{"model":"m",` + okMsgs + `,"tools":[{"type":"function","function":{"name":"a"}}],"tool_choice":{"type":"function","function":{"name":"b"}}}`, 400, "invalid_request_error", "", "tool_choice"},
		{"tool_choice bad mode", chat, `{"model":"m",` + okMsgs + `,"tools":[{"type":"function","function":{"name":"a"}}],"tool_choice":"always"}`, 400, "invalid_request_error", "invalid_value", "tool_choice"},
		{"tool_choice required without tools", chat, `{"model":"m",` + okMsgs + `,"tool_choice":"required"}`, 400, "invalid_request_error", "", "tool_choice"},
		{"tool_choice number", chat, `{"model":"m",` + okMsgs + `,"tool_choice":3}`, 400, "invalid_request_error", "invalid_type", "tool_choice"},
		{"response_format bad type", chat, `{"model":"m",` + okMsgs + `,"response_format":{"type":"xml"}}`, 400, "invalid_request_error", "invalid_value", "response_format.type"},
		{"json_schema without schema object", chat, `{"model":"m",` + okMsgs + `,"response_format":{"type":"json_schema"}}`, 400, "invalid_request_error", "", "response_format.json_schema"},
		{"json_schema bad name", chat, `{"model":"m",` + okMsgs + `,"response_format":{"type":"json_schema","json_schema":{"name":"a b","schema":{}}}}`, 400, "invalid_request_error", "", "response_format.json_schema.name"},
		{"metadata too many", chat, `{"model":"m",` + okMsgs + `,"metadata":{` + manyKeys(17) + `}}`, 400, "invalid_request_error", "", "metadata"},
		{"reasoning effort", chat, `{"model":"m",` + okMsgs + `,"reasoning_effort":"extreme"}`, 400, "invalid_request_error", "invalid_value", "reasoning_effort"},
		{"audio modality without audio", chat, `{"model":"m",` + okMsgs + `,"modalities":["text","audio"]}`, 400, "invalid_request_error", "", "audio"},
		{"body too large", chat, `{"model":"m",` + okMsgs + `,"user":"` + strings.Repeat("x", 5000) + `"}`, 413, "invalid_request_error", "request_too_large", ""},
		{"embeddings missing input", emb, `{"model":"m"}`, 400, "invalid_request_error", "", "input"},
		{"embeddings empty string", emb, `{"model":"m","input":""}`, 400, "invalid_request_error", "", "input"},
		{"embeddings empty list", emb, `{"model":"m","input":[]}`, 400, "invalid_request_error", "", "input"},
		{"embeddings empty item", emb, `{"model":"m","input":["a",""]}`, 400, "invalid_request_error", "", "input[1]"},
		{"embeddings mixed list", emb, `{"model":"m","input":["a",1]}`, 400, "invalid_request_error", "invalid_type", "input"},
		{"embeddings empty token list", emb, `{"model":"m","input":[[1],[]]}`, 400, "invalid_request_error", "", "input[1]"},
		{"embeddings bad format", emb, `{"model":"m","input":"a","encoding_format":"hex"}`, 400, "invalid_request_error", "invalid_value", "encoding_format"},
		{"embeddings zero dimensions", emb, `{"model":"m","input":"a","dimensions":0}`, 400, "invalid_request_error", "invalid_value", "dimensions"},
		{"images missing prompt", img, `{"model":"m"}`, 400, "invalid_request_error", "", "prompt"},
		{"images n too large", img, `{"prompt":"p","n":11}`, 400, "invalid_request_error", "invalid_value", "n"},
		{"images bad size", img, `{"prompt":"p","size":"big"}`, 400, "invalid_request_error", "invalid_value", "size"},
		{"images bad response_format", img, `{"prompt":"p","response_format":"jpeg"}`, 400, "invalid_request_error", "invalid_value", "response_format"},
		{"unknown route", "/v1/chat/completion", `{}`, 404, "invalid_request_error", "", ""},
	}
	if len(tests) < 40 {
		t.Fatalf("only %d cases", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, hdr, body := post(t, srv.URL+tt.path, tt.body)
			if status != tt.status || hdr.Get("Content-Type") != "application/json" {
				t.Fatalf("status %d (%s), want %d: %s", status, hdr.Get("Content-Type"), tt.status, body)
			}
			env := decodeJSON(t, body)
			e, ok := env["error"].(map[string]any)
			if !ok || len(env) != 1 {
				t.Fatalf("no error envelope: %s", body)
			}
			for _, k := range []string{"message", "type", "param", "code"} {
				if _, has := e[k]; !has {
					t.Errorf("error lacks %q: %s", k, body)
				}
			}
			if e["type"] != tt.typ || str(e["code"]) != tt.code || str(e["param"]) != tt.param || e["message"] == "" {
				t.Errorf("got type %v code %v param %v, want %q %q %q: %s", e["type"], e["code"], e["param"], tt.typ, tt.code, tt.param, body)
			}
		})
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func manyKeys(n int) string {
	var parts []string
	for i := 0; i < n; i++ {
		parts = append(parts, `"k`+string(rune('a'+i))+`":"v"`)
	}
	return strings.Join(parts, ",")
}

// TestAcceptsWhatRealClientsSend checks requests that strict servers wrongly
// reject (see the compatibility pitfalls): they must reach the backend.
func TestAcceptsWhatRealClientsSend(t *testing.T) {
	t.Parallel()
	// The test backend ignores response_format and tool_choice: only
	// acceptance is checked here, not the output guard.
	srv := serve(t, oaicompat.NewHandler(newTestBackend(), oaicompat.WithoutOutputChecks()))
	for name, body := range map[string]string{
		"developer role":            `{"model":"m","messages":[{"role":"developer","content":"be brief"},{"role":"user","content":"hi"}]}`,
		"max_completion_tokens":     `{"model":"m",` + okMsgs + `,"max_completion_tokens":5}`,
		"explicit nulls":            `{"model":"m",` + okMsgs + `,"temperature":null,"top_p":null,"n":null,"stop":null,"tools":null,"tool_choice":null,"response_format":null,"stream":null,"stream_options":null,"seed":null,"logprobs":null,"metadata":null,"user":null}`,
		"assistant null content":    `{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"42"}]}`,
		"assistant empty content":   `{"model":"m","messages":[{"role":"assistant","content":"","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":[{"type":"text","text":"42"}]}]}`,
		"text parts":                `{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"low"}}]}]}`,
		"stop as string":            `{"model":"m",` + okMsgs + `,"stop":"END"}`,
		"vendor extensions":         `{"model":"m",` + okMsgs + `,"top_k":40,"min_p":0.05,"repetition_penalty":1.1,"chat_template_kwargs":{"enable_thinking":false}}`,
		"deprecated functions":      `{"model":"m",` + okMsgs + `,"functions":[{"name":"f","parameters":{"type":"object"}}],"function_call":{"name":"f"}}`,
		"json_object format":        `{"model":"m",` + okMsgs + `,"response_format":{"type":"json_object"}}`,
		"logprobs without top":      `{"model":"m",` + okMsgs + `,"logprobs":true}`,
		"tool_choice none no tools": `{"model":"m",` + okMsgs + `,"tool_choice":"none"}`,
	} {
		t.Run(name, func(t *testing.T) {
			if status, _, body := post(t, srv.URL+"/v1/chat/completions", body); status != 200 {
				t.Errorf("status %d: %s", status, body)
			}
		})
	}
}

// TestRequestReachesBackendIntact checks that absent and zero stay apart,
// unions are typed, and unknown fields reach the backend.
func TestRequestReachesBackendIntact(t *testing.T) {
	t.Parallel()
	got := make(chan *oaicompat.ChatRequest, 1)
	srv := serve(t, oaicompat.NewHandler(oaicompat.ChatFunc(func(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		got <- req
		return nil
	})))
	post(t, srv.URL+"/v1/chat/completions", `{"model":"m","messages":[{"role":"developer","content":"sys"},{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}],
		"temperature":0,"stop":"END","max_tokens":9,"tool_choice":"none","top_k":40,"chat_template_kwargs":{"x":true}}`)
	req := <-got
	if req.Temperature == nil || *req.Temperature != 0 || req.TopP != nil {
		t.Errorf("temperature %v top_p %v: zero and absent must differ", req.Temperature, req.TopP)
	}
	if len(req.Stop) != 1 || req.Stop[0] != "END" {
		t.Errorf("stop %v", req.Stop)
	}
	if n, ok := req.TokenLimit(); !ok || n != 9 {
		t.Errorf("token limit %d %v", n, ok)
	}
	if req.ToolChoice == nil || req.ToolChoice.Mode != "none" {
		t.Errorf("tool_choice %+v", req.ToolChoice)
	}
	if string(req.Extra["top_k"]) != "40" || string(req.Extra["chat_template_kwargs"]) != `{"x":true}` || len(req.Extra) != 2 {
		t.Errorf("extra %v", req.Extra)
	}
	if req.Messages[0].SystemRole() != "system" || req.Messages[1].Content.Text() != "ab" || req.Messages[1].Content.IsString() {
		t.Errorf("messages %+v", req.Messages)
	}
	if !strings.Contains(string(req.Raw), `"top_k":40`) {
		t.Errorf("raw body %s", req.Raw)
	}
}

func TestMethodNotAllowedAndUnknownModel(t *testing.T) {
	t.Parallel()
	srv := serve(t, oaicompat.NewHandler(newTestBackend()))
	resp, err := srv.Client().Get(srv.URL + "/v1/chat/completions")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET chat: %d allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
	status, _, body := post(t, srv.URL+"/v1/chat/completions", `{"model":"gpt-unknown",`+okMsgs+`}`)
	if e := decodeJSON(t, body)["error"].(map[string]any); status != 404 || e["code"] != "model_not_found" {
		t.Errorf("unknown model: %d %s", status, body)
	}
	if status, _, body := post(t, srv.URL+"/v1/chat/completions", `{"model":"test-model",`+okMsgs+`}`); status != 200 {
		t.Errorf("listed model: %d %s", status, body)
	}
}

func TestMissingCapabilityAnswers404(t *testing.T) {
	t.Parallel()
	srv := serve(t, oaicompat.NewHandler(oaicompat.ChatFunc(func(context.Context, *oaicompat.ChatRequest, *oaicompat.ChatWriter) error { return nil })))
	for _, path := range []string{"/v1/embeddings", "/v1/images/generations"} {
		status, _, body := post(t, srv.URL+path, `{"model":"m","input":"x","prompt":"p"}`)
		if e := decodeJSON(t, body)["error"].(map[string]any); status != 404 || e["code"] != "unsupported_endpoint" {
			t.Errorf("%s: %d %s", path, status, body)
		}
	}
	resp, err := srv.Client().Get(srv.URL + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("models without a lister: %d", resp.StatusCode)
	}
}

// TestTooManyTools: OpenAI's limit of 128 tools, and of 128 (deprecated)
// functions, on a body under the default size limit.
func TestTooManyTools(t *testing.T) {
	srv := serve(t, oaicompat.NewHandler(newTestBackend()))
	for _, c := range []struct{ param, item string }{
		{"tools", `{"type":"function","function":{"name":"f"}}`},
		{"functions", `{"name":"f"}`},
	} {
		list := strings.Repeat(c.item+",", 128) + c.item
		status, _, body := post(t, srv.URL+"/v1/chat/completions", `{"model":"m",`+okMsgs+`,"`+c.param+`":[`+list+`]}`)
		if status != 400 || !strings.Contains(body, `"param":"`+c.param+`","code":"array_above_max_length"`) {
			t.Errorf("129 %s: %d %s", c.param, status, body)
		}
	}
}

// TestSchemaTooLarge: a schema the compiler would spend seconds on is a
// 400 at once, on every route that takes one.
func TestSchemaTooLarge(t *testing.T) {
	srv := serve(t, oaicompat.NewHandler(newTestBackend()))
	var props strings.Builder
	for i := range 10001 {
		if i > 0 {
			props.WriteByte(',')
		}
		fmt.Fprintf(&props, `"p%d":{}`, i)
	}
	schema := `{"type":"object","properties":{` + props.String() + `}}`
	for _, c := range []struct{ path, body, param string }{
		{"/v1/chat/completions", `{"model":"m",` + okMsgs + `,"response_format":{"type":"json_schema","json_schema":{"name":"s","schema":` + schema + `}}}`, "response_format"},
		{"/v1/chat/completions", `{"model":"m",` + okMsgs + `,"tools":[{"type":"function","function":{"name":"f","parameters":` + schema + `}}]}`, "tools[0].function.parameters"},
		{"/v1/responses", `{"model":"m","input":"x","text":{"format":{"type":"json_schema","name":"s","schema":` + schema + `}}}`, "text.format"},
	} {
		status, _, body := post(t, srv.URL+c.path, c.body)
		if status != 400 || !strings.Contains(body, "more than 10000 objects") || !strings.Contains(body, `"param":"`+c.param+`"`) {
			t.Errorf("%s %s: %d %.300s", c.path, c.param, status, body)
		}
	}
}
