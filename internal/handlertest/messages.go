package handlertest

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/anthropic"
)

// Messages is a chat Backend for the Messages tests; it answers by
// the last message of the translated request:
//
//   - a tool result: "The weather: <result>", with " (error)" when the
//     tool_result had is_error;
//   - with tools and a user turn last: calls the tool tool_choice forces,
//     else the first, with {"city":"Paris"}; "two calls" calls the first
//     tool twice with interleaved fragments (whatever parallel_tool_calls
//     says); tool_choice "none" gets text instead;
//   - "think ...": reasoning with a signature, then "42";
//   - "stop": "one two " then a finish on the first stop sequence;
//   - "refuse": a refusal;
//   - "fail": "partial " then a 429 (in-band, the stream having begun);
//   - "overload": a 503 before any output;
//   - otherwise it echoes the message word by word, stopping with
//     "length" at the token limit (one word = one token).
//
// It counts tokens (TokenCounter) as the words of every message, and
// records the last ChatRequest it saw.
type Messages struct {
	mu   sync.Mutex
	last *oaicompat.ChatRequest
	echo Dialect
}

// Chat implements oaicompat.Backend.
func (b *Messages) Chat(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	b.mu.Lock()
	b.last = req
	b.mu.Unlock()
	last := req.Messages[len(req.Messages)-1]
	text := req.LastUserMessage()
	switch {
	case last.Role == oaicompat.RoleTool:
		w.SetUsage(oaicompat.Usage{PromptTokens: 30, CompletionTokens: 4})
		reply := "The weather: " + last.Content.Text()
		if string(last.Extra["is_error"]) == "true" {
			reply += " (error)"
		}
		return w.WriteText(reply)
	case len(req.Tools) > 0 && last.Role == oaicompat.RoleUser:
		return b.callTools(req, w, text)
	case strings.HasPrefix(text, "think"):
		w.SetUsage(oaicompat.Usage{PromptTokens: 12, CompletionTokens: 9,
			CompletionTokensDetails: &oaicompat.CompletionTokensDetails{ReasoningTokens: 6}})
		for _, piece := range []string{"Let me ", "think."} {
			if err := w.WriteReasoning(piece); err != nil {
				return err
			}
		}
		if err := w.WriteDelta(oaicompat.Delta{ReasoningSignature: "sig-1"}); err != nil {
			return err
		}
		return w.WriteText("42")
	case text == "stop":
		w.SetUsage(oaicompat.Usage{PromptTokens: 8, CompletionTokens: 2})
		if err := w.WriteText("one two "); err != nil {
			return err
		}
		if len(req.Stop) > 0 {
			return w.WriteDelta(oaicompat.Delta{FinishReason: oaicompat.FinishStop, StopSequence: req.Stop[0]})
		}
		return nil
	case text == "refuse":
		return w.WriteRefusal("I can't help with that.")
	case text == "fail":
		if err := w.WriteText("partial "); err != nil {
			return err
		}
		return oaicompat.RateLimited(0, "Slow down.")
	case text == "overload":
		return &oaicompat.Error{Status: http.StatusServiceUnavailable, Type: oaicompat.TypeServerError, Message: "Overloaded"}
	}
	return b.echo.Chat(ctx, req, w)
}

func (b *Messages) callTools(req *oaicompat.ChatRequest, w *oaicompat.ChatWriter, text string) error {
	w.SetUsage(oaicompat.Usage{PromptTokens: 20, CompletionTokens: 7})
	tc := req.ToolChoice
	if tc != nil && tc.Mode == oaicompat.ToolChoiceNone {
		return w.WriteText("No tools today.")
	}
	name := req.Tools[0].Function.Name
	if tc != nil && tc.Name != "" {
		name = tc.Name
	}
	if text == "two calls" {
		a, _ := w.StartToolCall("", name)
		c, _ := w.StartToolCall("", name)
		for _, f := range []struct {
			i    int
			frag string
		}{{a, `{"city":`}, {c, `{"city":`}, {a, `"Paris"}`}, {c, `"Rome"}`}} {
			if err := w.WriteToolCallArguments(f.i, f.frag); err != nil {
				return err
			}
		}
		return nil
	}
	if err := w.WriteText("Let me check."); err != nil {
		return err
	}
	return callParis(w, name)
}

// CountTokens implements oaicompat.TokenCounter: the words of every
// message.
// CountTokens implements oaicompat.TokenCounter.
func (b *Messages) CountTokens(_ context.Context, req *oaicompat.ChatRequest) (int, error) {
	n := 0
	for _, m := range req.Messages {
		n += len(strings.Fields(m.Content.Text()))
	}
	return n, nil
}

// LastRequest returns the last request the backend saw.
func (b *Messages) LastRequest() *oaicompat.ChatRequest {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

// NativeMessages speaks the Messages API itself (a MessageCreator): it
// answers with blocks the translation cannot produce (redacted thinking),
// writing events as typed values and as an upstream's raw bytes. Its
// answer stops with max_tokens when max_tokens is 3 or less, else with
// tool_use; "fail-native" fails after message_start with an upstream's
// overloaded error event.
type NativeMessages struct{}

// Chat implements oaicompat.Backend.
func (NativeMessages) Chat(context.Context, *oaicompat.ChatRequest, *oaicompat.ChatWriter) error {
	return oaicompat.ServerError("the chat path ran")
}

// CreateMessage implements oaicompat.MessageCreator.
func (NativeMessages) CreateMessage(_ context.Context, req *anthropic.Request, w *oaicompat.EventWriter) error {
	start := anthropic.Message{ID: "msg_native", Type: "message", Role: "assistant", Model: req.Model,
		Content: []anthropic.ContentBlock{}, Usage: anthropic.Usage{InputTokens: 10, OutputTokens: 1}}
	if err := w.WriteEvent(anthropic.MessageStartEvent{Type: anthropic.EventMessageStart, Message: start}); err != nil {
		return err
	}
	if req.Messages[len(req.Messages)-1].Content.Text("") == "fail-native" {
		return w.WriteEvent(json.RawMessage(`{"type":"error","error":{"type":"overloaded_error","message":"Upstream overloaded"}}`))
	}
	block := func(i int, cb anthropic.ContentBlock, deltas ...anthropic.BlockDelta) error {
		if err := w.WriteEvent(anthropic.ContentBlockStartEvent{Type: anthropic.EventContentBlockStart, Index: i, ContentBlock: cb}); err != nil {
			return err
		}
		for _, d := range deltas {
			if err := w.WriteEvent(anthropic.ContentBlockDeltaEvent{Type: anthropic.EventContentBlockDelta, Index: i, Delta: d}); err != nil {
				return err
			}
		}
		return w.WriteEvent(anthropic.ContentBlockStopEvent{Type: anthropic.EventContentBlockStop, Index: i})
	}
	if err := w.WriteEvent(json.RawMessage(`{"type": "ping"}`)); err != nil {
		return err
	}
	if err := block(0, anthropic.ContentBlock{Type: "thinking"}, anthropic.BlockDelta{Type: anthropic.DeltaThinking, Thinking: "hmm"},
		anthropic.BlockDelta{Type: anthropic.DeltaSignature, Signature: "sig-n"}); err != nil {
		return err
	}
	if err := block(1, anthropic.ContentBlock{Type: "redacted_thinking", Data: "opaque"}); err != nil {
		return err
	}
	// An upstream's bytes, pretty-printed: the writer sends them on one line.
	if err := w.WriteEvent([]byte("{\n  \"type\": \"content_block_start\",\n  \"index\": 2,\n  \"content_block\": {\"type\": \"text\", \"text\": \"\"}\n}")); err != nil {
		return err
	}
	for _, ev := range []string{`{"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"native "}}`,
		`{"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"answer"}}`, `{"type":"content_block_stop","index":2}`} {
		if err := w.WriteEvent(json.RawMessage(ev)); err != nil {
			return err
		}
	}
	if err := block(3, anthropic.ContentBlock{Type: "tool_use", ID: "toolu_n", Name: "lookup"},
		anthropic.BlockDelta{Type: anthropic.DeltaInputJSON, PartialJSON: `{"q":`}, anthropic.BlockDelta{Type: anthropic.DeltaInputJSON, PartialJSON: `"x"}`}); err != nil {
		return err
	}
	reason := anthropic.StopToolUse
	if *req.MaxTokens <= 3 {
		reason = anthropic.StopMaxTokens
	}
	if err := w.WriteEvent(anthropic.MessageDeltaEvent{Type: anthropic.EventMessageDelta, Delta: anthropic.MessageDelta{StopReason: &reason},
		Usage: anthropic.Usage{InputTokens: 10, OutputTokens: 5}}); err != nil {
		return err
	}
	return w.WriteEvent(anthropic.MessageStopEvent{Type: anthropic.EventMessageStop})
}
