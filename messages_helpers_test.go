package oaicompat_test

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/oaicompat/oaicompat"
)

// messagesBackend is a chat Backend for the Messages tests; it answers by
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
type messagesBackend struct {
	mu   sync.Mutex
	last *oaicompat.ChatRequest
	echo dialectBackend
}

func (b *messagesBackend) Chat(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
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

func (b *messagesBackend) callTools(req *oaicompat.ChatRequest, w *oaicompat.ChatWriter, text string) error {
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
	i, err := w.StartToolCall("", name)
	if err != nil {
		return err
	}
	for _, frag := range []string{`{"city":`, `"Paris"}`} {
		if err := w.WriteToolCallArguments(i, frag); err != nil {
			return err
		}
	}
	return nil
}

// CountTokens implements oaicompat.TokenCounter: the words of every
// message.
func (b *messagesBackend) CountTokens(_ context.Context, req *oaicompat.ChatRequest) (int, error) {
	n := 0
	for _, m := range req.Messages {
		n += len(strings.Fields(m.Content.Text()))
	}
	return n, nil
}

func (b *messagesBackend) lastRequest() *oaicompat.ChatRequest {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

// chatOnly hides every capability of a backend but Chat.
type chatOnly struct{ oaicompat.Backend }
