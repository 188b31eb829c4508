package oaicompat

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
)

// chatCollector is the sink for stream:false chat requests: it assembles the
// deltas into one chat.completion. The legacy completions collector builds
// on it.
type chatCollector struct {
	w            http.ResponseWriter
	id, model    string
	created      int64
	wantLogprobs bool

	mu      sync.Mutex
	choices []collected
}

type collected struct {
	content  strings.Builder
	refusal  strings.Builder
	calls    []ToolCall
	args     []strings.Builder
	logprobs []TokenLogprob
	finish   string
}

func newChatCollector(w http.ResponseWriter, id string, created int64, req *ChatRequest) *chatCollector {
	return &chatCollector{w: w, id: id, created: created, model: req.Model, wantLogprobs: req.WantsLogprobs(),
		choices: make([]collected, req.Choices())}
}

func (c *chatCollector) end(u Usage) error {
	return writeJSON(c.w, http.StatusOK, c.completion(u))
}

// fail is never called: a collector's answer has not begun when it fails.
func (c *chatCollector) fail(*Error, Usage) error { return nil }

func (c *chatCollector) delta(choice int, d Delta) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := &c.choices[choice]
	ch.content.WriteString(d.Content)
	ch.refusal.WriteString(d.Refusal)
	if tc := d.ToolCall; tc != nil {
		if tc.Index == len(ch.calls) {
			ch.calls = append(ch.calls, ToolCall{ID: tc.ID, Type: "function", Function: &FunctionCall{Name: tc.Name}})
			ch.args = append(ch.args, strings.Builder{})
		}
		ch.args[tc.Index].WriteString(tc.Arguments)
	}
	ch.logprobs = append(ch.logprobs, d.Logprobs...)
	if d.FinishReason != "" {
		ch.finish = d.FinishReason
	}
	return nil
}

// completion builds the response.
func (c *chatCollector) completion(u Usage) *ChatCompletion {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := &ChatCompletion{ID: c.id, Object: "chat.completion", Created: c.created, Model: c.model,
		Choices: make([]ChatChoice, len(c.choices)), Usage: &u}
	for i := range c.choices {
		ch := &c.choices[i]
		msg := ResponseMessage{Role: RoleAssistant, Annotations: []json.RawMessage{}}
		if ch.content.Len() > 0 || len(ch.calls) == 0 && ch.refusal.Len() == 0 {
			s := ch.content.String()
			msg.Content = &s
		}
		if ch.refusal.Len() > 0 {
			s := ch.refusal.String()
			msg.Refusal = &s
		}
		for j := range ch.calls {
			ch.calls[j].Function.Arguments = ch.args[j].String()
		}
		msg.ToolCalls = ch.calls
		cc := ChatChoice{Index: i, Message: msg, FinishReason: ch.finish}
		if c.wantLogprobs {
			lp := ch.logprobs
			if lp == nil {
				lp = []TokenLogprob{}
			}
			cc.Logprobs = &ChoiceLogprobs{Content: lp}
		}
		out.Choices[i] = cc
	}
	return out
}
