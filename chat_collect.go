package oaicompat

import (
	"encoding/json"
	"strings"
	"sync"
)

// chatCollector is the sink for stream:false chat requests: it assembles the
// deltas into one chat.completion.
type chatCollector struct {
	mu      sync.Mutex
	choices []collected
	total   usageSum
}

type collected struct {
	content  strings.Builder
	refusal  strings.Builder
	calls    []ToolCall
	args     []strings.Builder
	logprobs []TokenLogprob
	finish   string
}

func newChatCollector(n int) *chatCollector {
	return &chatCollector{choices: make([]collected, n)}
}

func (c *chatCollector) usage(u Usage) {
	c.mu.Lock()
	c.total.add(u)
	c.mu.Unlock()
}

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

// completion builds the response. wantLogprobs adds the logprobs object.
func (c *chatCollector) completion(id string, created int64, model string, wantLogprobs bool) *ChatCompletion {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := &ChatCompletion{ID: id, Object: "chat.completion", Created: created, Model: model,
		Choices: make([]ChatChoice, len(c.choices))}
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
		if wantLogprobs {
			lp := ch.logprobs
			if lp == nil {
				lp = []TokenLogprob{}
			}
			cc.Logprobs = &ChoiceLogprobs{Content: lp}
		}
		out.Choices[i] = cc
	}
	u := c.total.usage()
	out.Usage = &u
	return out
}
