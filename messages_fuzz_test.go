package oaicompat

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	gojson "github.com/goccy/go-json"

	"github.com/oaicompat/oaicompat/anthropic"
	"github.com/oaicompat/oaicompat/internal/jsonx"
)

// FuzzMessagesTranslation feeds arbitrary bodies to the Messages dialect
// (seed corpus under testdata/fuzz/FuzzMessagesTranslation). Decoding,
// validation and translation either succeed or answer a 400; a request
// that translates keeps its tool calls, tool results and unknown fields;
// and the handler answers it, streamed and not, with a Message or the
// events of one, or an error in the Anthropic envelope, never a panic.
func FuzzMessagesTranslation(f *testing.F) {
	f.Add([]byte(`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`))
	for _, turns := range []string{ // tool pairs, valid and not
		`{"role":"user","content":"x"},{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"f","input":{}},{"type":"tool_use","id":"b","name":"f","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"b"},{"type":"text","text":"and"},{"type":"tool_result","tool_use_id":"a","content":"r"}]}`,
		`{"role":"user","content":[{"type":"tool_result","tool_use_id":"a"}]}`,
		`{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"f","input":{}}]},{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"f","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"a"}]}`,
		`{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"f","input":{}}]},{"role":"user","content":"no result"}`,
		`{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"f","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"a"}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"a"}]}`,
	} {
		f.Add([]byte(`{"model":"m","max_tokens":5,"messages":[` + turns + `]}`))
	}
	echo := ChatFunc(func(_ context.Context, req *ChatRequest, w *ChatWriter) error {
		if _, err := json.Marshal(req); err != nil { // a translated request always encodes
			return err
		}
		if err := w.WriteReasoning("r"); err != nil {
			return err
		}
		if len(req.Tools) > 0 && req.Tools[0].Function != nil {
			if err := w.WriteToolCall("", req.Tools[0].Function.Name, `{}`); err != nil {
				return err
			}
		}
		return w.WriteText(req.LastUserMessage())
	})
	h := NewHandler(echo, WithKeepAlive(0), WithMaxRequestBytes(1<<16), WithoutOutputChecks())
	f.Fuzz(func(t *testing.T, body []byte) {
		var req anthropic.Request
		extra, err := decodeRequest(body, &req, anthropicTypeError)
		if err == nil {
			req.Raw, req.Extra = body, extra
			err = validateMessagesRequest(&req, true)
		}
		var chat *ChatRequest
		if err == nil {
			chat, err = messagesToChat(&req)
		}
		if err != nil {
			if e := AsError(err); e.Status != http.StatusBadRequest {
				t.Fatalf("error %v is not a 400", e)
			}
		} else {
			checkTranslation(t, &req, chat)
		}
		for _, stream := range []bool{false, true} {
			b := body
			if stream && jsonx.FirstByte(b) == '{' && err == nil {
				b = append([]byte(`{"stream":true,`), bytes.TrimPrefix(bytes.TrimLeft(b, " \t\r\n"), []byte("{"))...)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/messages", bytes.NewReader(b)))
			checkMessagesAnswer(t, rec, b)
		}
	})
}

// checkTranslation checks what a translation must keep, and that its tool
// turns are valid chat ones.
func checkTranslation(t *testing.T, req *anthropic.Request, chat *ChatRequest) {
	if f := findToolTurnFault(chat.Messages); f != nil {
		t.Fatalf("a valid request translated to chat messages whose tool turns are not: %+v", *f)
	}
	var uses, calls []string
	results, tools := 0, 0
	for _, m := range req.Messages {
		for _, b := range m.Content.Blocks() {
			switch {
			case b.Type == anthropic.BlockToolUse && m.Role == anthropic.RoleAssistant:
				uses = append(uses, b.ID)
			case b.Type == anthropic.BlockToolResult && m.Role == anthropic.RoleUser:
				results++
			}
		}
	}
	for _, m := range chat.Messages {
		for _, c := range m.ToolCalls {
			calls = append(calls, c.ID)
		}
		if m.Role == RoleTool {
			tools++
		}
	}
	if strings.Join(uses, ",") != strings.Join(calls, ",") || results != tools {
		t.Fatalf("tool_use %v became calls %v; %d tool_result became %d tool messages", uses, calls, results, tools)
	}
	if chat.Model != req.Model || *chat.MaxTokens != *req.MaxTokens || len(chat.Stop) != len(req.StopSequences) {
		t.Fatalf("model, max_tokens or stop lost: %+v", chat)
	}
	for k := range req.Extra {
		if _, ok := chat.Extra[k]; !ok {
			t.Fatalf("unknown field %q lost", k)
		}
	}
}

// checkMessagesAnswer checks an answer of the Messages route: a Message,
// a stream of events that ends with message_stop or an error event, or
// an error envelope with a 4xx status.
func checkMessagesAnswer(t *testing.T, rec *httptest.ResponseRecorder, body []byte) {
	out := rec.Body.Bytes()
	switch {
	case rec.Code != http.StatusOK:
		var env anthropic.ErrorResponse
		if err := json.Unmarshal(out, &env); err != nil || env.Type != "error" || env.Error.Message == "" || rec.Code >= 500 && rec.Code != 529 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, out)
		}
	case strings.HasPrefix(rec.Header().Get("Content-Type"), "text/event-stream"):
		events := bytes.Split(bytes.TrimSuffix(out, []byte("\n\n")), []byte("\n\n"))
		var acc messageEvents
		acc.t = &tally{}
		for _, ev := range events {
			name, data, ok := bytes.Cut(ev, []byte("\ndata: "))
			typ := string(bytes.TrimPrefix(name, []byte("event: ")))
			var m map[string]json.RawMessage
			if !ok || gojson.Unmarshal(data, &m) != nil || string(m["type"]) != `"`+typ+`"` {
				t.Fatalf("bad event %q in %s", ev, out)
			}
			if _, _, err := acc.event(typ, m); err != nil {
				t.Fatalf("event %s: %v in %s", typ, err, out)
			}
		}
		if acc.complete() != nil {
			t.Fatalf("stream without message_stop: %s", out)
		}
	default:
		var m anthropic.Message
		if err := json.Unmarshal(out, &m); err != nil || m.Type != "message" || m.StopReason == nil {
			t.Fatalf("not a Message for %q: %s", body, out)
		}
	}
}
