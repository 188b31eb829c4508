package oaicompat

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/oaicompat/oaicompat/internal/jsonx"
)

// chatCollector is the sink for stream:false chat requests: it assembles the
// deltas into one chat.completion, encoded by hand like the stream's chunks.
// The legacy completions collector builds on it.
type chatCollector struct {
	w              http.ResponseWriter
	id, model      string
	created        int64
	wantLogprobs   bool
	reasoningField string

	mu      sync.Mutex
	choices []collected
	one     [1]collected // choices, when n is 1
}

// collected is one choice as the deltas built it.
type collected struct {
	content   strings.Builder
	refusal   strings.Builder
	reasoning strings.Builder
	calls     []collectedCall
	logprobs  []TokenLogprob
	extra     map[string]json.RawMessage
	finish    string
}

type collectedCall struct {
	id, name string
	args     strings.Builder
}

func newChatCollector(w http.ResponseWriter, id string, created int64, req *ChatRequest, reasoningField string) *chatCollector {
	c := &chatCollector{w: w, id: id, created: created, model: req.Model, wantLogprobs: req.WantsLogprobs(),
		reasoningField: reasoningField}
	c.choices = oneOrMake(&c.one, req.Choices())
	return c
}

func (c *chatCollector) delta(choice int, d Delta) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := &c.choices[choice]
	if ch.content.Cap() == 0 && d.Content != "" {
		// Room for a short answer at once, instead of growing it word by word.
		ch.content.Grow(max(len(d.Content), 256))
	}
	ch.content.WriteString(d.Content)
	ch.refusal.WriteString(d.Refusal)
	ch.reasoning.WriteString(d.Reasoning)
	if tc := d.ToolCall; tc != nil {
		if tc.Index == len(ch.calls) {
			ch.calls = append(ch.calls, collectedCall{id: tc.ID, name: tc.Name})
		}
		ch.calls[tc.Index].args.WriteString(tc.Arguments)
	}
	ch.logprobs = append(ch.logprobs, d.Logprobs...)
	for k, v := range d.Extra {
		if ch.extra == nil {
			ch.extra = map[string]json.RawMessage{}
		}
		ch.extra[k] = v
	}
	if d.FinishReason != "" {
		ch.finish = d.FinishReason
	}
	return nil
}

func (c *chatCollector) end(u Usage) error {
	buf := getBuffer()
	defer putBuffer(buf)
	buf.B = c.appendCompletion(buf.B, &u)
	c.w.Header()["Content-Type"] = headerJSON
	_, err := c.w.Write(buf.B)
	return err
}

// fail is never called: a collector's answer has not begun when it fails.
func (c *chatCollector) fail(*Error, Usage) error { return nil }

// appendCompletion appends the chat.completion object.
func (c *chatCollector) appendCompletion(b []byte, u *Usage) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	b = append(b, `{"id":`...)
	b = jsonx.AppendString(b, c.id)
	b = append(b, `,"object":"chat.completion","created":`...)
	b = jsonx.AppendInt(b, c.created)
	b = append(b, `,"model":`...)
	b = jsonx.AppendString(b, c.model)
	b = append(b, `,"choices":[`...)
	for i := range c.choices {
		if i > 0 {
			b = append(b, ',')
		}
		b = c.appendChoice(b, i)
	}
	b = append(b, `],"usage":`...)
	b = appendUsage(b, u)
	return append(b, '}')
}

// appendChoice appends choice i: its message (content and refusal null when
// empty, as OpenAI sends them; content "" when the choice said nothing at
// all), finish reason and logprobs.
func (c *chatCollector) appendChoice(b []byte, i int) []byte {
	ch := &c.choices[i]
	b = append(b, `{"index":`...)
	b = jsonx.AppendInt(b, int64(i))
	b = append(b, `,"message":{"role":"assistant","content":`...)
	if ch.content.Len() > 0 || len(ch.calls) == 0 && ch.refusal.Len() == 0 {
		b = jsonx.AppendString(b, ch.content.String())
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"refusal":`...)
	b = jsonx.AppendNullableString(b, ch.refusal.String())
	if ch.reasoning.Len() > 0 {
		b = append(b, `,"`...)
		b = append(b, c.reasoningField...)
		b = append(b, `":`...)
		b = jsonx.AppendString(b, ch.reasoning.String())
	}
	if len(ch.calls) > 0 {
		b = append(b, `,"tool_calls":[`...)
		for j := range ch.calls {
			if j > 0 {
				b = append(b, ',')
			}
			call := &ch.calls[j]
			b = append(b, `{"id":`...)
			b = jsonx.AppendString(b, call.id)
			b = append(b, `,"type":"function","function":{"name":`...)
			b = jsonx.AppendString(b, call.name)
			b = append(b, `,"arguments":`...)
			b = jsonx.AppendString(b, call.args.String())
			b = append(b, "}}"...)
		}
		b = append(b, ']')
	}
	b = append(b, `,"annotations":[]`...)
	b = appendExtra(b, ch.extra, true)
	b = append(b, `},"finish_reason":`...)
	b = jsonx.AppendString(b, ch.finish)
	b = append(b, `,"logprobs":`...)
	if c.wantLogprobs {
		b = append(b, `{"content":`...)
		b = appendLogprobs(b, ch.logprobs)
		b = append(b, `,"refusal":null}`...)
	} else {
		b = append(b, "null"...)
	}
	return append(b, '}')
}

// appendExtra appends vendor fields ([Delta].Extra) as members of an object
// being written, in key order, skipping those this package writes itself;
// comma tells whether members precede them.
func appendExtra(b []byte, extra map[string]json.RawMessage, comma bool) []byte {
	if len(extra) == 0 {
		return b
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		if !ownDeltaField[k] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if comma {
			b = append(b, ',')
		}
		comma = true
		b = jsonx.AppendString(b, k)
		b = append(b, ':')
		b = append(b, extra[k]...)
	}
	return b
}

// ownDeltaField are the members of a delta or message that this package
// writes, which vendor fields may not replace.
var ownDeltaField = map[string]bool{"role": true, "content": true, "refusal": true, "tool_calls": true,
	"annotations": true, "function_call": true, "audio": true}
