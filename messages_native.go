package oaicompat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	gojson "github.com/goccy/go-json"

	"github.com/oaicompat/oaicompat/anthropic"
)

// MessageCreator is an optional [Backend] capability for a backend that
// speaks the Anthropic Messages API natively (a relay to an upstream
// Messages API, a backend with server tools or redacted thinking). When a
// Backend implements it, POST /v1/messages bypasses the translation onto
// Chat: after decoding and validation the request goes to CreateMessage as
// is.
//
// CreateMessage writes the stream events to w, an [EventWriter] (see
// package [anthropic] for their types, [anthropic.MessageStartEvent] to
// [anthropic.MessageStopEvent]), from message_start to message_stop, for streamed and
// non-streamed requests alike: the handler sends a stream's events as they
// come, and answers a non-streamed request with the Message the events
// build (the Anthropic SDKs' accumulation: message_start's message, the
// blocks started, their deltas appended, message_delta's stop reason and
// usage). One event path serves both, so a backend has nothing to build
// twice, and an upstream stream is relayed by writing its events as raw
// bytes.
//
// An error event from the backend ends the answer with that error:
// written in-band after the first event, as the HTTP answer before it.
// Errors follow [Backend].Chat otherwise: a returned *[Error] before the first
// event is the HTTP answer; after it, an in-band error event. The output
// guard does not apply: the backend owns its output.
type MessageCreator interface {
	CreateMessage(ctx context.Context, req *anthropic.Request, w *EventWriter) error
}

func newMessageCreatorAnswer(x *exchange, mc MessageCreator, req *anthropic.Request) *nativeAnswer {
	me := &messageEvents{t: &x.t, stream: x.es != nil, requestID: x.w.Header().Get(headerRequestID)}
	return &nativeAnswer{ew: newEventWriter(x, me), w: x.w, call: func(ctx context.Context, w *EventWriter) error {
		return mc.CreateMessage(ctx, req, w)
	}}
}

// messageEvents is the Messages API's part of an EventWriter: it checks
// the order of the events, builds the Message of a non-streamed answer,
// and tells the tally the usage and stop reason.
type messageEvents struct {
	t         *tally
	stream    bool
	requestID string

	msg     *anthropic.Message // since message_start
	inputs  map[int][]byte     // tool_use input so far, by block index
	blocks  int                // blocks started
	stopped bool
}

func (m *messageEvents) event(typ string, ev map[string]json.RawMessage) (changed, terminal bool, err error) {
	if m.msg == nil && typ != anthropic.EventMessageStart && typ != anthropic.EventPing && typ != anthropic.EventError {
		return false, false, fmt.Errorf("oaicompat: Messages event %q before message_start", typ)
	}
	switch typ {
	case anthropic.EventMessageStart:
		if m.msg != nil {
			return false, false, errors.New("oaicompat: a second message_start")
		}
		m.msg = &anthropic.Message{}
		if err := gojson.Unmarshal(ev["message"], m.msg); err != nil {
			return false, false, fmt.Errorf("oaicompat: message_start: %w", err)
		}
		m.msg.Content = m.msg.Content[:0]
	case anthropic.EventContentBlockStart:
		var e anthropic.ContentBlockStartEvent
		if err := gojson.Unmarshal(marshalMembers(ev), &e); err != nil {
			return false, false, fmt.Errorf("oaicompat: content_block_start: %w", err)
		}
		if e.Index != m.blocks {
			return false, false, fmt.Errorf("oaicompat: content_block_start of block %d, expected %d", e.Index, m.blocks)
		}
		m.blocks++
		if !m.stream {
			m.msg.Content = append(m.msg.Content, e.ContentBlock)
		}
	case anthropic.EventContentBlockDelta:
		var e anthropic.ContentBlockDeltaEvent
		if err := gojson.Unmarshal(marshalMembers(ev), &e); err != nil {
			return false, false, fmt.Errorf("oaicompat: content_block_delta: %w", err)
		}
		if e.Index < 0 || e.Index >= m.blocks {
			return false, false, fmt.Errorf("oaicompat: content_block_delta for block %d of %d", e.Index, m.blocks)
		}
		if !m.stream {
			m.apply(e.Index, &e.Delta)
		}
	case anthropic.EventMessageDelta:
		var e struct {
			Delta anthropic.MessageDelta `json:"delta"`
			Usage struct {
				InputTokens              *int                           `json:"input_tokens"`
				CacheCreationInputTokens *int                           `json:"cache_creation_input_tokens"`
				CacheReadInputTokens     *int                           `json:"cache_read_input_tokens"`
				OutputTokens             *int                           `json:"output_tokens"`
				OutputTokensDetails      *anthropic.OutputTokensDetails `json:"output_tokens_details"`
			} `json:"usage"`
		}
		if err := gojson.Unmarshal(marshalMembers(ev), &e); err != nil {
			return false, false, fmt.Errorf("oaicompat: message_delta: %w", err)
		}
		m.msg.StopReason, m.msg.StopSequence, m.msg.StopDetails = e.Delta.StopReason, e.Delta.StopSequence, e.Delta.StopDetails
		u := &m.msg.Usage
		for _, f := range []struct {
			dst *int
			src *int
		}{{&u.InputTokens, e.Usage.InputTokens}, {&u.CacheCreationInputTokens, e.Usage.CacheCreationInputTokens},
			{&u.CacheReadInputTokens, e.Usage.CacheReadInputTokens}, {&u.OutputTokens, e.Usage.OutputTokens}} {
			if f.src != nil {
				*f.dst = *f.src
			}
		}
		if e.Usage.OutputTokensDetails != nil {
			u.OutputTokensDetails = e.Usage.OutputTokensDetails
		}
	case anthropic.EventMessageStop:
		m.account()
		return false, true, nil
	case anthropic.EventError:
		var e anthropic.ErrorResponse
		if err := gojson.Unmarshal(marshalMembers(ev), &e); err != nil || e.Error.Type == "" {
			return false, false, errors.New("oaicompat: an error event needs an error object with a type")
		}
		return false, false, errorFromAnthropic(&e.Error)
	}
	return false, false, nil
}

// marshalMembers re-encodes an event's members.
func marshalMembers(ev map[string]json.RawMessage) []byte {
	b, _ := gojson.Marshal(ev)
	return b
}

// apply adds a delta to block i of the Message being built.
func (m *messageEvents) apply(i int, d *anthropic.BlockDelta) {
	cb := &m.msg.Content[i]
	cb.Raw = nil // the block changes: encode it from its fields
	switch d.Type {
	case anthropic.DeltaText:
		cb.Text += d.Text
	case anthropic.DeltaThinking:
		cb.Thinking += d.Thinking
	case anthropic.DeltaSignature:
		cb.Signature += d.Signature
	case anthropic.DeltaInputJSON:
		if m.inputs == nil {
			m.inputs = map[int][]byte{}
		}
		m.inputs[i] = append(m.inputs[i], d.PartialJSON...)
		cb.Input = m.inputs[i]
	case anthropic.DeltaCitations:
		var list []json.RawMessage
		_ = gojson.Unmarshal(cb.Citations, &list)
		cb.Citations, _ = gojson.Marshal(append(list, d.Citation))
	}
}

// account tells the tally the Message's usage and stop reason.
func (m *messageEvents) account() {
	m.stopped = true
	u := m.msg.Usage
	cached := u.CacheReadInputTokens + u.CacheCreationInputTokens
	cu := Usage{PromptTokens: u.InputTokens + cached, CompletionTokens: u.OutputTokens}
	if cached > 0 {
		cu.PromptTokensDetails = &PromptTokensDetails{CachedTokens: u.CacheReadInputTokens}
	}
	if d := u.OutputTokensDetails; d != nil {
		cu.CompletionTokensDetails = &CompletionTokensDetails{ReasoningTokens: d.ThinkingTokens}
	}
	m.t.report(cu)
	reason := FinishStop
	if sr := m.msg.StopReason; sr != nil {
		switch *sr {
		case anthropic.StopMaxTokens, anthropic.StopModelContextWindowExceeded:
			reason = FinishLength
		case anthropic.StopToolUse:
			reason = FinishToolCalls
		case anthropic.StopRefusal:
			reason = FinishContentFilter
		}
	}
	m.t.delta(0, &Delta{FinishReason: reason})
}

func (m *messageEvents) complete() error {
	if !m.stopped {
		return errors.New("oaicompat: MessageCreator returned without message_stop")
	}
	return nil
}

func (m *messageEvents) body() ([]byte, error) {
	for i := range m.msg.Content {
		if cb := &m.msg.Content[i]; cb.Type == anthropic.BlockToolUse && len(cb.Input) > 0 && !json.Valid(cb.Input) {
			return nil, ServerError("The backend wrote tool input that is not valid JSON (tool '" + cb.Name + "').")
		}
	}
	return gojson.Marshal(m.msg)
}

func (m *messageEvents) errorEvent(e *Error) (string, []byte) {
	return anthropic.EventError, appendAnthropicError(nil, e, m.requestID)
}
