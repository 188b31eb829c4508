package relay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/internal/jsonx"
)

// The chunk translator turns an upstream's chat.completion.chunk events
// into the deltas a Backend writes. The handler re-frames them (its own id,
// created and model, the role on the first chunk, the usage chunk when the
// client asked, [DONE]); what the deltas carry passes as the upstream sent
// it: text, refusals, tool-call fragments, logprobs, finish reasons, usage.

// deltaSink receives the deltas of an answer, per choice: the ChatWriters
// of a request (choiceWriters), or a checker in tests and fuzzing.
type deltaSink interface {
	delta(choice int, d oaicompat.Delta) error
	usage(u oaicompat.Usage)
}

// choiceWriters writes choice i to the i-th writer.
type choiceWriters []*oaicompat.ChatWriter

func newChoiceWriters(w *oaicompat.ChatWriter, n int) choiceWriters {
	ws := make(choiceWriters, n)
	for i := range ws {
		ws[i] = w.Choice(i)
	}
	return ws
}

func (ws choiceWriters) delta(i int, d oaicompat.Delta) error { return ws[i].WriteDelta(d) }
func (ws choiceWriters) usage(u oaicompat.Usage)              { ws[0].SetUsage(u) }

// chunk is an upstream stream event, as far as the relay reads it.
type chunk struct {
	Choices []chunkChoice    `json:"choices"`
	Usage   *oaicompat.Usage `json:"usage"`
	Error   json.RawMessage  `json:"error"`
}

type chunkChoice struct {
	Index        int        `json:"index"`
	Delta        chunkDelta `json:"delta"`
	FinishReason string     `json:"finish_reason"`
	Logprobs     *struct {
		Content []oaicompat.TokenLogprob `json:"content"`
	} `json:"logprobs"`
}

// parse decodes an event's data (or a non-streamed chat.completion, whose
// choices carry a message instead of a delta) into c, appending its
// choices to choices.
// It validates the JSON first, then walks the members it reads without
// reflection (this runs for every chunk of every relayed stream).
func (c *chunk) parse(data []byte, choices []chunkChoice) error {
	if !jsonx.Valid(data) {
		return errors.New("invalid JSON")
	}
	var arr [16]member
	ms, _, err := members(data, arr[:0])
	if err != nil {
		return err
	}
	c.Choices = choices
	for _, m := range ms {
		v := data[m.start:m.end]
		if string(v) == "null" {
			continue
		}
		switch string(m.name) {
		case "choices":
			err = elements(v, func(e []byte) error {
				c.Choices = append(c.Choices, chunkChoice{})
				return c.Choices[len(c.Choices)-1].parse(e)
			})
		case "usage":
			if c.Usage == nil {
				c.Usage = &oaicompat.Usage{}
			}
			err = parseUsage(v, c.Usage)
		case "error":
			c.Error = v
		}
		if err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
	}
	return nil
}

func (ch *chunkChoice) parse(b []byte) error {
	var arr [8]member
	ms, _, err := members(b, arr[:0])
	if err != nil {
		return err
	}
	for _, m := range ms {
		v := b[m.start:m.end]
		if string(v) == "null" {
			continue
		}
		switch string(m.name) {
		case "index":
			if ch.Index, err = strconv.Atoi(string(v)); err != nil {
				err = json.Unmarshal(v, &ch.Index)
			}
		case "delta", "message": // a stream's chunk, a non-streamed completion
			err = ch.Delta.UnmarshalJSON(v)
		case "finish_reason":
			ch.FinishReason, _, err = optString(v)
		case "logprobs":
			err = json.Unmarshal(v, &ch.Logprobs)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
	}
	return nil
}

var errNotArray = errors.New("not an array")

// elements calls f with each element of the JSON array b (valid JSON).
func elements(b []byte, f func(e []byte) error) error {
	i := jsonx.SkipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return errNotArray
	}
	for i = jsonx.SkipSpace(b, i+1); i < len(b) && b[i] != ']'; i = jsonx.SkipSpace(b, i) {
		if b[i] == ',' {
			i = jsonx.SkipSpace(b, i+1)
			continue
		}
		end, ok := jsonx.ScanValue(b, i, 1)
		if !ok {
			return errors.New("bad array element")
		}
		if err := f(b[i:end]); err != nil {
			return err
		}
		i = end
	}
	return nil
}

// chunkDelta is the delta of a chunk choice, or the message of a
// non-streamed choice (same fields, whole).
type chunkDelta struct {
	Content   string // null and absent are ""
	Refusal   string
	ToolCalls []toolCallChunk
	// Reasoning is reasoning_content (DeepSeek, vLLM), else reasoning
	// (OpenRouter, Ollama, newer vLLM).
	Reasoning string
	// Extra holds the members the relay does not model (vendor fields such
	// as images, audio, citations, function_call), as raw JSON.
	Extra map[string]json.RawMessage
}

type toolCallChunk struct {
	Index    int    `json:"index"`
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

// UnmarshalJSON decodes the modelled members and keeps the others in Extra
// (null members dropped). It walks the members once, without reflection:
// this runs for every chunk of every relayed stream.
func (d *chunkDelta) UnmarshalJSON(b []byte) error {
	*d = chunkDelta{}
	var arr [16]member
	ms, _, err := members(b, arr[:0])
	if err != nil {
		return err
	}
	sawReasoningContent := false
	for _, m := range ms {
		v := b[m.start:m.end]
		switch string(m.name) {
		case "role":
		case "content":
			d.Content, _, err = optString(v)
		case "refusal":
			d.Refusal, _, err = optString(v)
		case "reasoning_content", "reasoning":
			r, ok := "", false
			if r, ok, err = optString(v); ok && (string(m.name) == "reasoning_content" || !sawReasoningContent) {
				d.Reasoning = r
				sawReasoningContent = sawReasoningContent || string(m.name) == "reasoning_content"
			}
		case "tool_calls":
			if string(v) != "null" {
				d.ToolCalls, err = parseToolCalls(v, d.ToolCalls)
			}
		default:
			if string(v) == "null" {
				continue
			}
			if d.Extra == nil {
				d.Extra = map[string]json.RawMessage{}
			}
			d.Extra[string(m.name)] = append(json.RawMessage(nil), v...)
		}
		if err != nil {
			return fmt.Errorf("delta member %s: %w", m.name, err)
		}
	}
	return nil
}

// optString decodes a JSON string, or null ("", false).
func optString(v []byte) (string, bool, error) {
	if string(v) == "null" {
		return "", false, nil
	}
	s, err := unquote(v)
	return s, err == nil, err
}

// translator turns the events of one upstream stream into deltas.
type translator struct {
	out      deltaSink
	scratch  []chunkChoice     // reused by the events
	deltas   []oaicompat.Delta // reused by the choices
	onCommit func()            // called before the first delta is written
	choices  []choiceCalls
	finished int
	wrote    bool // a delta was handed to out: the answer is committed
	done     bool // [DONE] was seen
	usage    *oaicompat.Usage
}

// choiceCalls follows the tool calls of one choice: the upstream index and
// id of each call started, in order. Upstreams that give every call index 0
// (or none) and tell calls apart by id are mapped onto increasing indexes.
type choiceCalls struct {
	calls    []callRef
	finished bool
}

type callRef struct {
	up int
	id string
}

func newTranslator(out deltaSink, n int) *translator {
	return &translator{out: out, choices: make([]choiceCalls, n)}
}

// errMalformed wraps what is wrong with an upstream event or response.
var errMalformed = errors.New("relay: malformed upstream response")

// inBand is an error an upstream sent inside a 200 stream.
type inBand struct{ err *oaicompat.Error }

func (e *inBand) Error() string { return "relay: upstream in-band error: " + e.err.Error() }

// event handles the data of one upstream event.
func (t *translator) event(data []byte) error {
	if t.done {
		return nil // nothing counts after [DONE]
	}
	data = bytes.TrimSpace(data)
	if string(data) == "[DONE]" {
		t.done = true
		return nil
	}
	var c chunk
	if err := c.parse(data, t.scratch[:0]); err != nil {
		return fmt.Errorf("%w: %v", errMalformed, err)
	}
	t.scratch = c.Choices[:0]
	if len(c.Error) > 0 && string(c.Error) != "null" {
		return &inBand{inBandError(c.Error)}
	}
	for i := range c.Choices {
		if err := t.write(&c.Choices[i]); err != nil {
			return err
		}
	}
	if c.Usage != nil {
		u := *c.Usage
		t.usage = &u
	}
	return nil
}

// write writes what a parsed choice carries.
func (t *translator) write(ch *chunkChoice) error {
	var lps []oaicompat.TokenLogprob
	if ch.Logprobs != nil {
		lps = ch.Logprobs.Content
	}
	return t.choice(ch.Index, &ch.Delta, lps, ch.FinishReason)
}

// choice writes what one choice of an event (or a whole non-streamed
// choice) carries: text, refusal and logprobs in one delta, then each tool
// call fragment, the finish reason with the last of them.
func (t *translator) choice(index int, cd *chunkDelta, lps []oaicompat.TokenLogprob, finish string) error {
	if index < 0 || index >= len(t.choices) {
		return fmt.Errorf("%w: choice index %d of %d", errMalformed, index, len(t.choices))
	}
	cc := &t.choices[index]
	ds := t.deltas[:0]
	defer func() { t.deltas = ds[:0] }()
	d := deltaOf(cd)
	d.Logprobs = lps
	if !emptyDelta(&d) {
		ds = append(ds, d)
	}
	for i := range cd.ToolCalls {
		tc, err := cc.fragment(&cd.ToolCalls[i])
		if err != nil {
			return err
		}
		if tc != nil {
			ds = append(ds, oaicompat.Delta{ToolCall: tc})
		}
	}
	if cc.finished {
		if len(ds) > 0 {
			return fmt.Errorf("%w: output for choice %d after its finish reason", errMalformed, index)
		}
		return nil // a repeated finish reason
	}
	if finish != "" {
		if len(ds) == 0 {
			ds = append(ds, oaicompat.Delta{})
		}
		ds[len(ds)-1].FinishReason = finish
		cc.finished = true
		t.finished++
	}
	for _, d := range ds {
		if !t.wrote {
			t.wrote = true
			if t.onCommit != nil {
				t.onCommit()
			}
		}
		if err := t.out.delta(index, d); err != nil {
			return &sinkError{err}
		}
	}
	return nil
}

// sinkError is an error of the writer the deltas go to (the client left,
// the output guard refused the answer), not of the upstream.
type sinkError struct{ err error }

func (e *sinkError) Error() string { return e.err.Error() }
func (e *sinkError) Unwrap() error { return e.err }

// deltaOf returns the Delta for what a chunk delta (or a message) carries
// besides tool calls: text, refusal, reasoning (written as the handler's
// WithReasoningField, reasoning_content by default) and vendor members,
// which the handler writes into the client's delta or message as they are.
func deltaOf(cd *chunkDelta) oaicompat.Delta {
	return oaicompat.Delta{Content: cd.Content, Refusal: cd.Refusal, Reasoning: cd.Reasoning, Extra: cd.Extra}
}

func emptyDelta(d *oaicompat.Delta) bool {
	return d.Content == "" && d.Refusal == "" && d.Reasoning == "" && len(d.Extra) == 0 &&
		d.ToolCall == nil && len(d.Logprobs) == 0 && d.FinishReason == ""
}

// fragment maps an upstream tool-call fragment onto the choice's calls. It
// returns nil for a fragment that carries nothing.
func (cc *choiceCalls) fragment(tc *toolCallChunk) (*oaicompat.ToolCallDelta, error) {
	for i := len(cc.calls) - 1; i >= 0; i-- {
		c := &cc.calls[i]
		if c.up != tc.Index {
			continue
		}
		if tc.ID != "" && c.id != "" && tc.ID != c.id {
			break // a new call reusing the index
		}
		if tc.Function.Arguments == "" {
			return nil, nil
		}
		return &oaicompat.ToolCallDelta{Index: i, Arguments: tc.Function.Arguments}, nil
	}
	if tc.Function.Name == "" {
		return nil, fmt.Errorf("%w: tool call fragment (index %d) before its call began", errMalformed, tc.Index)
	}
	cc.calls = append(cc.calls, callRef{up: tc.Index, id: tc.ID})
	return &oaicompat.ToolCallDelta{Index: len(cc.calls) - 1, ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments}, nil
}

// errCut is a stream that ended without [DONE] while a choice was open.
var errCut = errors.New("relay: upstream stream ended before it was complete")

// end checks the end of the stream and reports the usage seen. A stream
// without [DONE] is accepted when every choice finished.
func (t *translator) end() error {
	t.report()
	if t.done || t.finished == len(t.choices) {
		return nil
	}
	return errCut
}

// report hands the usage seen to the sink, once.
func (t *translator) report() {
	if t.usage != nil {
		t.out.usage(*t.usage)
		t.usage = nil
	}
}
