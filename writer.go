package oaicompat

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// Delta is one increment of a chat answer, the unit a [Backend] writes and a
// sink turns into wire bytes. Any combination of fields may be set; empty
// fields are ignored.
type Delta struct {
	// Content is the next piece of the assistant's text.
	Content string
	// Refusal is the next piece of a refusal message.
	Refusal string
	// Reasoning is the next piece of the model's reasoning, which clients
	// show apart from the answer: reasoning_content in chat, a reasoning
	// item in the Responses API, a thinking block in Anthropic Messages.
	Reasoning string
	// Extra holds vendor fields of a chat delta (a relay forwarding another
	// server's stream keeps them here); they are written as they are into
	// the chunk's delta object, or the message of a non-streamed answer,
	// and ignored by the other dialects.
	Extra map[string]json.RawMessage
	// ReasoningSignature is an opaque token that vouches for the reasoning
	// when a client sends it back in a later turn (Anthropic's signature,
	// the Responses API's encrypted_content); chat clients do not see it.
	ReasoningSignature string
	// ToolCall is a fragment of a tool call.
	ToolCall *ToolCallDelta
	// Logprobs are the log probabilities of the tokens in Content; they
	// reach the client only when the request asked for logprobs.
	Logprobs []TokenLogprob
	// FinishReason ends the choice: "stop", "length", "tool_calls" or
	// "content_filter". Nothing may be written to the choice after it.
	FinishReason string
	// StopSequence names the stop sequence (one of the request's
	// [ChatRequest].Stop entries) whose match ended the choice, with FinishReason "stop" (a
	// StopSequence alone finishes the choice with "stop"). Anthropic
	// Messages clients see it as stop_reason "stop_sequence" and
	// stop_sequence; the OpenAI dialects have no field for it.
	StopSequence string
}

// ToolCallDelta is a fragment of a tool call. The first fragment of a call
// has Index equal to the number of calls the choice started before it and
// carries Name (and ID; a missing ID is generated); later fragments carry
// the same Index and a piece of Arguments.
type ToolCallDelta struct {
	Index     int
	ID        string
	Name      string
	Arguments string
}

// ErrChoiceFinished is returned when a [Backend] writes to a finished choice.
var ErrChoiceFinished = errors.New("oaicompat: write to a finished choice")

// ErrWriterClosed is returned when a [Backend] writes after its Chat call
// returned (from a goroutine it left behind, say): the response is over.
var ErrWriterClosed = errors.New("oaicompat: write after the backend returned")

// sink turns deltas into a wire shape (one chat.completion, SSE chunks, a
// Responses object, ...). Implementations must be safe for concurrent use
// by the writers of different choices.
type sink interface {
	// delta receives a delta for a choice; the [ChatWriter] has already
	// checked it (indexes, ids, finish reason).
	delta(choice int, d Delta) error
	// usage adds u to the usage of the response.
	usage(u Usage)
}

// ChatWriter is what a [Backend] writes its answer to. It checks the deltas
// (tool-call indexes are assigned and checked, a finished choice takes no
// more writes, the finish reason follows what the choice emitted) and
// passes them to the sink that decides the wire shape. A ChatWriter is
// bound to one choice; with n>1 each goroutine gets its own.
type ChatWriter struct {
	s          sink
	st         *writerState
	choice     int
	ids        func(prefix string) string
	callPrefix string // of the tool-call ids it makes
	req        *ChatRequest
}

// writerState is the per-response state shared by the writers of all choices.
type writerState struct {
	mu      sync.Mutex
	choices []choiceState
	n       int
	closed  bool // the response is over
	one     [1]choiceState
}

type choiceState struct {
	calls    int  // tool calls started
	finished bool // finish reason sent
	wrote    bool // anything written
}

func newChatWriter(s sink, req *ChatRequest, ids func(string) string, callPrefix string) *ChatWriter {
	// The writer and its state in one allocation, and the state of a
	// single choice inside it.
	ws := &struct {
		w  ChatWriter
		st writerState
	}{}
	n := req.Choices()
	ws.st.n, ws.st.choices = n, ws.st.one[:]
	if n > 1 {
		ws.st.choices = make([]choiceState, n)
	}
	ws.w = ChatWriter{s: s, st: &ws.st, ids: ids, callPrefix: callPrefix, req: req}
	return &ws.w
}

// Index returns the index of the choice this writer writes.
func (w *ChatWriter) Index() int { return w.choice }

// Choice returns a writer for choice i of a [MultiChoice] backend's answer.
// It panics if i is outside [0, n).
func (w *ChatWriter) Choice(i int) *ChatWriter {
	if i < 0 || i >= w.st.n {
		panic(fmt.Sprintf("oaicompat: choice %d out of range [0,%d)", i, w.st.n))
	}
	c := *w
	c.choice = i
	return &c
}

// WriteText writes the next piece of the assistant's text.
func (w *ChatWriter) WriteText(s string) error {
	if s == "" {
		return nil
	}
	return w.WriteDelta(Delta{Content: s})
}

// WriteReasoning writes the next piece of the model's reasoning. Write it
// before the answer it leads to: each dialect shows it in its own shape
// (see [Delta.Reasoning]), and clients that did not ask for reasoning
// ignore it.
func (w *ChatWriter) WriteReasoning(s string) error {
	if s == "" {
		return nil
	}
	return w.WriteDelta(Delta{Reasoning: s})
}

// WriteRefusal writes the next piece of a refusal.
func (w *ChatWriter) WriteRefusal(s string) error {
	if s == "" {
		return nil
	}
	return w.WriteDelta(Delta{Refusal: s})
}

// WriteToolCall writes a whole function call at once. An empty id is
// generated. On a stream it is still sent the OpenAI way: a first fragment
// with id, name and empty arguments, then the arguments.
func (w *ChatWriter) WriteToolCall(id, name, arguments string) error {
	index, err := w.StartToolCall(id, name)
	if err != nil {
		return err
	}
	return w.WriteToolCallArguments(index, arguments)
}

// StartToolCall starts a function call and returns its index, to be passed
// to WriteToolCallArguments. An empty id is generated.
func (w *ChatWriter) StartToolCall(id, name string) (int, error) {
	w.st.mu.Lock()
	index := w.st.choices[w.choice].calls
	w.st.mu.Unlock()
	return index, w.WriteDelta(Delta{ToolCall: &ToolCallDelta{Index: index, ID: id, Name: name}})
}

// WriteToolCallArguments appends a piece of the arguments of call index.
func (w *ChatWriter) WriteToolCallArguments(index int, fragment string) error {
	if fragment == "" {
		return nil
	}
	return w.WriteDelta(Delta{ToolCall: &ToolCallDelta{Index: index, Arguments: fragment}})
}

// Finish ends the choice with a finish reason. Backends that return nil
// without calling it get "stop" (or "tool_calls").
func (w *ChatWriter) Finish(reason string) error {
	return w.WriteDelta(Delta{FinishReason: reason})
}

// SetUsage reports token usage. With n>1 and one call per choice, the
// handler adds the completion tokens of all calls and keeps the largest
// prompt count.
func (w *ChatWriter) SetUsage(u Usage) { w.s.usage(u) }

// WriteDelta writes a delta. It is the primitive the other Write methods
// use, and the natural one for a relay that forwards another server's
// stream.
func (w *ChatWriter) WriteDelta(d Delta) error {
	st := w.st
	st.mu.Lock()
	if st.closed {
		st.mu.Unlock()
		return ErrWriterClosed
	}
	cs := &st.choices[w.choice]
	if cs.finished {
		st.mu.Unlock()
		return ErrChoiceFinished
	}
	if tc := d.ToolCall; tc != nil {
		switch {
		case tc.Index == cs.calls:
			if tc.Name == "" {
				st.mu.Unlock()
				return fmt.Errorf("oaicompat: tool call %d starts without a name", tc.Index)
			}
			if tc.ID == "" {
				t := *tc
				t.ID = w.ids(w.callPrefix)
				d.ToolCall = &t
			}
			cs.calls++
		case tc.Index < 0 || tc.Index > cs.calls:
			st.mu.Unlock()
			return fmt.Errorf("oaicompat: tool call index %d out of order (%d calls started)", tc.Index, cs.calls)
		default:
			if tc.ID != "" || tc.Name != "" {
				t := *tc
				t.ID, t.Name = "", ""
				d.ToolCall = &t
			}
		}
	}
	if d.StopSequence != "" && d.FinishReason == "" {
		d.FinishReason = FinishStop
	}
	if d.FinishReason != "" {
		d.FinishReason = effectiveFinish(d.FinishReason, cs.calls > 0)
		cs.finished = true
	}
	cs.wrote = true
	st.mu.Unlock()
	if !w.req.WantsLogprobs() {
		d.Logprobs = nil
	}
	return w.s.delta(w.choice, d)
}

// effectiveFinish makes the finish reason follow what the choice emitted:
// "tool_calls" only when it called tools.
func effectiveFinish(reason string, calledTools bool) string {
	switch {
	case calledTools && reason == FinishStop:
		return FinishToolCalls
	case !calledTools && reason == FinishToolCalls:
		return FinishStop
	}
	return reason
}

// finishOpen finishes every choice the backend left open.
func (w *ChatWriter) finishOpen() error {
	for i := 0; i < w.st.n; i++ {
		c := *w // a copy per choice, without Choice's allocation
		c.choice = i
		if err := c.finishIfOpen(); err != nil {
			return err
		}
	}
	return nil
}

// finishIfOpen finishes this writer's choice if the backend left it open.
func (w *ChatWriter) finishIfOpen() error {
	w.st.mu.Lock()
	done := w.st.choices[w.choice].finished
	w.st.mu.Unlock()
	if done {
		return nil
	}
	return w.Finish(FinishStop)
}

// close makes every later write fail with [ErrWriterClosed].
func (w *ChatWriter) close() {
	w.st.mu.Lock()
	w.st.closed = true
	w.st.mu.Unlock()
}
