package oaicompat_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat"
)

// postMessages posts body to path on srv and returns the status, the
// response and its body.
func postMessages(t *testing.T, url, body string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "POST", url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// TestMessagesTranslation checks the ChatRequest a chat Backend sees for
// each feature of a Messages request.
func TestMessagesTranslation(t *testing.T) {
	t.Parallel()
	be := &messagesBackend{}
	srv := serveDialects(t, be)
	const tool = `"tools":[{"name":"f","description":"d","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false},"strict":true}]`
	tests := []struct {
		name  string
		body  string // the members after "model" and "max_tokens"
		check func(t *testing.T, r *oaicompat.ChatRequest)
	}{
		{"system string", `"system":"Be brief.","messages":[{"role":"user","content":"hi"}]`, func(t *testing.T, r *oaicompat.ChatRequest) {
			if len(r.Messages) != 2 || r.Messages[0].Role != "system" || r.Messages[0].Content.Text() != "Be brief." || !r.Messages[1].Content.IsString() {
				t.Errorf("%+v", r.Messages)
			}
		}},
		{"system blocks", `"system":[{"type":"text","text":"A."},{"type":"text","text":"B.","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"hi"}]`, func(t *testing.T, r *oaicompat.ChatRequest) {
			parts := r.Messages[0].Content.Parts()
			if len(parts) != 2 || parts[1].Text != "B." || string(parts[1].Extra["cache_control"]) != `{"type":"ephemeral"}` {
				t.Errorf("%+v", parts)
			}
		}},
		{"merged turns and system role", `"messages":[{"role":"user","content":"a"},{"role":"user","content":[{"type":"text","text":"b"}]},{"role":"system","content":"ctx"},{"role":"assistant","content":"c"},{"role":"assistant","content":"d"},{"role":"user","content":"e"}]`, func(t *testing.T, r *oaicompat.ChatRequest) {
			roles := ""
			for _, m := range r.Messages {
				roles += m.Role + ":" + m.Content.Text() + " "
			}
			if roles != "user:ab system:ctx assistant:cd user:e " {
				t.Errorf("%s", roles)
			}
		}},
		{"prefill", `"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"The answer is"}]`, func(t *testing.T, r *oaicompat.ChatRequest) {
			if last := r.Messages[len(r.Messages)-1]; last.Role != "assistant" || last.Content.Text() != "The answer is" {
				t.Errorf("%+v", last)
			}
		}},
		{"images and documents", `"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}},{"type":"image","source":{"type":"url","url":"https://x/y.png"}},{"type":"document","source":{"type":"text","media_type":"text/plain","data":"doc"},"title":"T"},{"type":"text","text":"what?"}]}]`, func(t *testing.T, r *oaicompat.ChatRequest) {
			p := r.Messages[0].Content.Parts()
			if len(p) != 4 || p[0].ImageURL.URL != "data:image/png;base64,AAAA" || p[1].ImageURL.URL != "https://x/y.png" ||
				p[2].Type != "document" || string(p[2].Extra["title"]) != `"T"` || !strings.Contains(string(p[2].Extra["source"]), `"doc"`) {
				t.Errorf("%+v", p)
			}
		}},
		{"tool results first, is_error, blocks", `"messages":[{"role":"user","content":"go"},{"role":"assistant","content":[{"type":"text","text":"calling"},{"type":"tool_use","id":"toolu_1","name":"f","input":{"a":"x"}},{"type":"tool_use","id":"toolu_2","name":"f","input":{"a":"y"}}]},{"role":"user","content":[{"type":"text","text":"here"},{"type":"tool_result","tool_use_id":"toolu_1","content":"one"},{"type":"tool_result","tool_use_id":"toolu_2","is_error":true,"content":[{"type":"text","text":"two"}]}]}],` + tool, func(t *testing.T, r *oaicompat.ChatRequest) {
			m := r.Messages
			if len(m) != 5 || len(m[1].ToolCalls) != 2 || m[1].ToolCalls[1].Function.Arguments != `{"a":"y"}` ||
				m[2].Role != "tool" || m[2].ToolCallID != "toolu_1" || m[2].Content.Text() != "one" || m[2].Extra["is_error"] != nil ||
				m[3].ToolCallID != "toolu_2" || m[3].Content.Text() != "two" || string(m[3].Extra["is_error"]) != "true" ||
				m[4].Role != "user" || m[4].Content.Text() != "here" {
				t.Errorf("%+v", m)
			}
		}},
		{"tools and sampling", `"messages":[{"role":"user","content":"x"}],"stop_sequences":["a","b","c","d","e"],"temperature":0.5,"top_p":0.9,"top_k":40,"metadata":{"user_id":"u-1"},"service_tier":"auto","future_field":{"x":1},` + tool, func(t *testing.T, r *oaicompat.ChatRequest) {
			f := r.Tools[0].Function
			if len(r.Stop) != 5 || *r.Temperature != 0.5 || *r.TopP != 0.9 || string(r.Extra["top_k"]) != "40" || r.User != "u-1" ||
				string(r.Extra["service_tier"]) != `"auto"` || string(r.Extra["future_field"]) != `{"x":1}` || r.Extra["metadata"] != nil ||
				f.Name != "f" || f.Description != "d" || !*f.Strict || !strings.Contains(string(f.Parameters), `"required":["city"]`) {
				t.Errorf("%+v extra %s", r, r.Extra)
			}
			if *r.MaxTokens != 100 || !strings.Contains(string(r.Raw), `"future_field"`) {
				t.Errorf("max_tokens %d raw %s", *r.MaxTokens, r.Raw)
			}
		}},
		{"thinking and unknown blocks", `"thinking":{"type":"disabled"},"messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"thinking","thinking":"a","signature":"s1"},{"type":"thinking","thinking":"b","signature":"s2"},{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"x"}},{"type":"text","text":"r"}]},{"role":"user","content":[{"type":"mid_conv_system","content":[{"type":"text","text":"now"}]},{"type":"text","text":"more"}]}]`, func(t *testing.T, r *oaicompat.ChatRequest) {
			a := r.Messages[1]
			if r.ReasoningEffort != "none" || *a.Reasoning != "a\n\nb" || a.ReasoningSignature != "s2" {
				t.Errorf("%q %+v", r.ReasoningEffort, a)
			}
			if p := a.Content.Parts(); len(p) != 2 || p[0].Type != "server_tool_use" || string(p[0].Extra["input"]) != `{"query":"x"}` || p[1].Text != "r" {
				t.Errorf("%+v", p)
			}
			if len(r.Messages) != 4 || r.Messages[2].Role != "system" || r.Messages[2].Content.Text() != "now" || r.Messages[3].Content.Text() != "more" {
				t.Errorf("%+v", r.Messages)
			}
		}},
		{"output_config", `"output_config":{"effort":"high","format":{"type":"json_schema","schema":{"type":"object"}}},"messages":[{"role":"user","content":"x"}]`, func(t *testing.T, r *oaicompat.ChatRequest) {
			if r.ReasoningEffort != "high" || r.ResponseFormat.Type != "json_schema" || string(r.ResponseFormat.JSONSchema.Schema) != `{"type":"object"}` {
				t.Errorf("%+v", r)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := postMessages(t, srv.URL+"/v1/messages", `{"model":"m1","max_tokens":100,`+tt.body+`}`)
			if res.StatusCode != 200 {
				t.Fatalf("%d %s", res.StatusCode, body)
			}
			tt.check(t, be.LastRequest())
		})
	}
}

// TestMessagesValidation: bad requests are answered 400 in the API's words.
func TestMessagesValidation(t *testing.T) {
	t.Parallel()
	srv := serveDialects(t, &messagesBackend{})
	msgs := `"messages":[{"role":"user","content":"hi"}]`
	tests := []struct{ body, want string }{
		{`{"max_tokens":1,` + msgs + `}`, "model: Field required"},
		{`{"model":"m",` + msgs + `}`, "max_tokens: Field required"},
		{`{"model":"m","max_tokens":-1,` + msgs + `}`, "max_tokens: Input should be greater than or equal to 0"},
		{`{"model":"m","max_tokens":1.5,` + msgs + `}`, "max_tokens: Input should be a valid integer"},
		{`{"model":"m","max_tokens":1}`, "messages: Field required"},
		{`{"model":"m","max_tokens":1,"messages":[{"role":"bot","content":"x"}]}`, "messages.0.role: Input should be 'user', 'assistant' or 'system'"},
		{`{"model":"m","max_tokens":1,"messages":[{"role":"user"}]}`, "messages.0.content: Field required"},
		{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":7}]}`, "messages.0.content: Input should be a valid string or a valid list"},
		{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"text","text":""}]}]}`, "messages.0.content.0.text: text content blocks must be non-empty"},
		{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/bmp","data":"x"}}]}]}`, "messages.0.content.0.source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'"},
		{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"tool_result","content":"x"}]}]}`, "messages.0.content.0.tool_use_id: Field required"},
		{`{"model":"m","max_tokens":1,"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"x"}]}]}`, "messages.0.content.0.signature: Field required"},
		{`{"model":"m","max_tokens":1,"temperature":2,` + msgs + `}`, "temperature: Input should be less than or equal to 1"},
		{`{"model":"m","max_tokens":1,"tools":[{"name":"f"}],` + msgs + `}`, "tools.0.input_schema: Field required"},
		{`{"model":"m","max_tokens":1,"tools":[{"name":"bad name","input_schema":{"type":"object"}}],` + msgs + `}`, "tools.0.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'"},
		{`{"model":"m","max_tokens":1,"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool"},` + msgs + `}`, "tool_choice.name: Field required"},
		{`{"model":"m","max_tokens":1,"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"g"},` + msgs + `}`, "tool_choice.name: Tool 'g' not found in tools"},
		{`{"model":"m","max_tokens":1,"tool_choice":{"type":"any"},` + msgs + `}`, "tool_choice: tool_choice may only be specified while providing tools"},
		{`{"model":"m","max_tokens":1,"tools":[{"name":"f","strict":true,"input_schema":{"type":"object","properties":{"a":{"type":"string"}}}}],` + msgs + `}`, "tools.0.input_schema: "},
		{`{"model":"m","max_tokens":2000,"thinking":{"type":"enabled","budget_tokens":512},` + msgs + `}`, "thinking.budget_tokens: Input should be greater than or equal to 1024"},
		{`{"model":"m","max_tokens":2000,"thinking":{"type":"enabled","budget_tokens":4000},` + msgs + `}`, "max_tokens: must be greater than thinking.budget_tokens"},
		{`{"model":"m","max_tokens":1,"tools":[{"type":"web_search_20250305","name":"web_search"}],` + msgs + `}`, "tools.0.type: server tool 'web_search_20250305' is not supported by this server"},
		{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1"}]}]}`, "messages.1.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_1. Each `tool_result` block must have a corresponding `tool_use` block in the previous message."},
		{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]},{"role":"user","content":"y"}]}`, "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_1. Each `tool_use` block must have a corresponding `tool_result` block in the next message."},
		{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]}]}`, "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_1."},
		{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1"}]}]}`, "messages.2.content.0: `tool_use` ids must be unique"},
	}
	for _, tt := range tests {
		res, body := postMessages(t, srv.URL+"/v1/messages", tt.body)
		var env struct {
			Type  string `json:"type"`
			Error struct {
				Type, Message string
			} `json:"error"`
			RequestID string `json:"request_id"`
		}
		if err := json.Unmarshal([]byte(body), &env); err != nil || res.StatusCode != 400 || env.Type != "error" ||
			env.Error.Type != "invalid_request_error" || !strings.HasPrefix(env.Error.Message, tt.want) || env.RequestID != res.Header.Get("request-id") {
			t.Errorf("%s:\n got %d %s\nwant %q", tt.body, res.StatusCode, body, tt.want)
		}
	}
}

// TestMessagesRoutes: the routes under /messages answer in the Anthropic
// envelope, take ?beta=true, and keep the request id a middleware gave.
func TestMessagesRoutes(t *testing.T) {
	t.Parallel()
	srv := serveDialects(t, chatOnly{&messagesBackend{}}, oaicompat.WithMaxRequestBytes(256))
	ok := `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`
	tests := []struct {
		method, path, body string
		header             []string
		status             int
		typ                string
	}{
		{"POST", "/v1/messages?beta=true", ok, nil, 200, ""},
		{"GET", "/v1/messages", "", nil, 405, "invalid_request_error"},
		{"GET", "/v1/messages/count_tokens", "", nil, 405, "invalid_request_error"},
		{"POST", "/v1/messages/batches", ok, nil, 404, "not_found_error"},
		{"POST", "/v1/messages/count_tokens", ok, nil, 404, "not_found_error"}, // no TokenCounter
		{"POST", "/v1/messages", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"` + strings.Repeat("x", 300) + `"}]}`, nil, 413, "request_too_large"},
		{"POST", "/v1/messages", `{"model":`, nil, 400, "invalid_request_error"},
		{"POST", "/v1/messages", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"overload"}]}`, nil, 529, "overloaded_error"},
		{"POST", "/v1/messages", ok, []string{"X-Request-Id", "req_from_middleware"}, 200, ""},
	}
	for _, tt := range tests {
		req, _ := http.NewRequestWithContext(t.Context(), tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
		for i := 0; i+1 < len(tt.header); i += 2 {
			req.Header.Set(tt.header[i], tt.header[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		id := res.Header.Get("request-id")
		if res.StatusCode != tt.status || !strings.HasPrefix(id, "req_") || len(tt.header) > 0 && id != tt.header[1] {
			t.Errorf("%s %s: %d request-id %q %s", tt.method, tt.path, res.StatusCode, id, b)
			continue
		}
		if tt.typ != "" && !strings.HasPrefix(string(b), `{"type":"error","error":{"type":"`+tt.typ+`","message":`) {
			t.Errorf("%s %s: %s", tt.method, tt.path, b)
		}
	}
	// The OpenAI routes keep their envelope.
	if res, body := postMessages(t, srv.URL+"/v1/nope", "{}"); res.StatusCode != 404 || !strings.HasPrefix(body, `{"error":{`) {
		t.Errorf("%d %s", res.StatusCode, body)
	}
}

// TestWriteErrorFor: middleware refusals take the envelope of the
// request's API.
func TestWriteErrorFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path, version string
		anthropic     bool
	}{
		{"/v1/messages", "", true},
		{"/api/v1/messages/count_tokens", "", true},
		{"/v1/chat/completions", "2023-06-01", true},
		{"/v1/chat/completions", "", false},
		{"/v1/threads/t1/messages", "", false},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("POST", tt.path, nil)
		if tt.version != "" {
			r.Header.Set("anthropic-version", tt.version)
		}
		oaicompat.WriteErrorFor(rec, r, &oaicompat.Error{Status: 401, Type: oaicompat.TypeInvalidRequest, Message: "no key"})
		body := rec.Body.String()
		want := `{"error":{"message":"no key","type":"invalid_request_error","param":null,"code":null}}`
		if tt.anthropic {
			want = `{"type":"error","error":{"type":"authentication_error","message":"no key"},"request_id":"` + rec.Header().Get("request-id") + `"}`
		}
		if rec.Code != 401 || strings.TrimSpace(body) != want {
			t.Errorf("%s: %d %s, want %s", tt.path, rec.Code, body, want)
		}
	}
}

// TestMessagesKeepAlive: a silent backend's stream carries the API's ping
// events, which the SDKs skip.
func TestMessagesKeepAlive(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	slow := oaicompat.ChatFunc(func(ctx context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		select {
		case <-release:
		case <-ctx.Done():
			return ctx.Err()
		}
		return w.WriteText("late")
	})
	srv := serveDialects(t, slow, oaicompat.WithKeepAlive(time.Millisecond))
	res, err := http.Post(srv.URL+"/v1/messages", "application/json",
		strings.NewReader(`{"model":"m","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	var events []string
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "event: "); ok {
			if name == "ping" && len(events) == 0 {
				close(release)
			}
			if len(events) == 0 || events[len(events)-1] != name || name != "ping" {
				events = append(events, name)
			}
			continue
		}
		if line == `data: {"type": "ping"}` || line == "" || strings.HasPrefix(line, "data: {") {
			continue
		}
		t.Errorf("unexpected line %q", line)
	}
	got := strings.Join(events, " ")
	if !strings.HasPrefix(got, "ping message_start") || !strings.HasSuffix(got, "message_delta message_stop") {
		t.Errorf("events %s", got)
	}
}

// TestMessagesReasoningUnderGuard: reasoning reaches a stream while the
// guard holds text back (tool_choice any demands a call first).
func TestMessagesReasoningUnderGuard(t *testing.T) {
	t.Parallel()
	be := oaicompat.ChatFunc(func(_ context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		if err := w.WriteReasoning("I should call f."); err != nil {
			return err
		}
		return w.WriteToolCall("", "f", `{}`)
	})
	srv := serveDialects(t, be)
	_, body := postMessages(t, srv.URL+"/v1/messages", `{"model":"m","max_tokens":50,"stream":true,"tool_choice":{"type":"any"},`+
		`"tools":[{"name":"f","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"go"}]}`)
	if !strings.Contains(body, `"thinking_delta","thinking":"I should call f."`) || !strings.Contains(body, `"stop_reason":"tool_use"`) {
		t.Errorf("%s", body)
	}
}

// TestMessagesCallInfo: middleware learns the endpoint, usage and finish
// of Messages requests, translated, streamed and native.
func TestMessagesCallInfo(t *testing.T) {
	t.Parallel()
	for _, be := range []oaicompat.Backend{&dialectBackend{}, nativeMessages{}} {
		var got *oaicompat.CallInfo
		h := oaicompat.NewHandler(be)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, ci := oaicompat.NewCallInfoContext(r.Context())
			h.ServeHTTP(w, r.WithContext(ctx))
			got = ci
		}))
		for _, stream := range []string{"false", "true"} {
			res, body := postMessages(t, srv.URL+"/v1/messages", `{"model":"m1","max_tokens":3,"stream":`+stream+`,"messages":[{"role":"user","content":"a b c d"}]}`)
			if res.StatusCode != 200 {
				t.Fatalf("%d %s", res.StatusCode, body)
			}
			if got.Endpoint != "messages" || got.Model != "m1" || got.Stream != (stream == "true") || got.Usage.TotalTokens != 15 ||
				len(got.FinishReasons) != 1 || got.FinishReasons[0] != "length" || got.FirstOutput.IsZero() {
				t.Errorf("%T stream %s: CallInfo = %+v", be, stream, got)
			}
		}
		srv.Close()
	}
}
