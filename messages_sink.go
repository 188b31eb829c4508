package oaicompat

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"

	gojson "github.com/goccy/go-json"

	"github.com/oaicompat/oaicompat/anthropic"
	"github.com/oaicompat/oaicompat/internal/jsonx"
)

// messageSink is the sink of a translated Messages request: it turns the
// chat deltas of its one choice into the content blocks of a Message, and,
// when streaming, into the API's events:
//
//	message_start                  (before the first output)
//	content_block_start            (a thinking, text or tool_use block opens)
//	content_block_delta            (thinking_delta, signature_delta,
//	                                text_delta, input_json_delta)
//	content_block_stop             (the block closed)
//	message_delta                  (stop_reason, stop_sequence, usage so far)
//	message_stop
//	error                          (a backend error after output began)
//
// Blocks follow the order the backend writes in, numbered from 0 in start
// order. Reasoning opens a thinking block, text (and refusals) a text
// block; each closes when a block of another kind opens. tool_use blocks
// stay open until the end, so that a backend may interleave the argument
// fragments of parallel calls. The first event is sent lazily with the
// first output, so that an error before any output is still an ordinary
// JSON error with its HTTP status.
type messageSink struct {
	es  *eventStream // nil: one Message
	w   http.ResponseWriter
	t   *tally
	msg anthropic.Message // the skeleton: id, model

	mu      sync.Mutex
	blocks  []*messageBlock
	open    *messageBlock   // the open thinking or text block, or nil
	calls   []*messageBlock // tool_use blocks by tool-call index
	finish  string
	stopSeq string
	refused bool
	started bool
	buf     []byte
}

// messageBlock is a content block as the deltas build it.
type messageBlock struct {
	index    int
	typ      string
	text     strings.Builder // text, thinking, or a tool_use's input
	sig      strings.Builder
	id, name string
	closed   bool
}

func newMessageSink(x *exchange, id, model string) *messageSink {
	return &messageSink{es: x.es, w: x.w, t: &x.t,
		msg: anthropic.Message{ID: id, Type: "message", Role: anthropic.RoleAssistant, Model: model, Content: []anthropic.ContentBlock{}}}
}

func (s *messageSink) delta(_ int, d Delta) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.start(); err != nil {
		return err
	}
	if d.Reasoning != "" || d.ReasoningSignature != "" {
		b, err := s.block(anthropic.BlockThinking)
		if err != nil {
			return err
		}
		if d.Reasoning != "" {
			b.text.WriteString(d.Reasoning)
			if err := s.blockDelta(b, anthropic.DeltaThinking, "thinking", d.Reasoning); err != nil {
				return err
			}
		}
		if d.ReasoningSignature != "" {
			b.sig.WriteString(d.ReasoningSignature)
			if err := s.blockDelta(b, anthropic.DeltaSignature, "signature", d.ReasoningSignature); err != nil {
				return err
			}
		}
	}
	if text := d.Content + d.Refusal; text != "" {
		s.refused = s.refused || d.Refusal != ""
		b, err := s.block(anthropic.BlockText)
		if err != nil {
			return err
		}
		b.text.WriteString(text)
		if err := s.blockDelta(b, anthropic.DeltaText, "text", text); err != nil {
			return err
		}
	}
	if tc := d.ToolCall; tc != nil {
		if tc.Index == len(s.calls) {
			if err := s.closeOpen(); err != nil {
				return err
			}
			b := s.add(anthropic.BlockToolUse)
			b.id, b.name = tc.ID, tc.Name
			s.calls = append(s.calls, b)
			if err := s.blockStart(b); err != nil {
				return err
			}
		}
		if tc.Arguments != "" {
			b := s.calls[tc.Index]
			b.text.WriteString(tc.Arguments)
			if err := s.blockDelta(b, anthropic.DeltaInputJSON, "partial_json", tc.Arguments); err != nil {
				return err
			}
		}
	}
	if d.FinishReason != "" {
		s.finish, s.stopSeq = d.FinishReason, d.StopSequence
	}
	return nil
}

// block returns the open block of type typ, closing the open block of the
// other kind and opening one if needed.
func (s *messageSink) block(typ string) (*messageBlock, error) {
	if s.open != nil && s.open.typ == typ {
		return s.open, nil
	}
	if err := s.closeOpen(); err != nil {
		return nil, err
	}
	s.open = s.add(typ)
	return s.open, s.blockStart(s.open)
}

func (s *messageSink) add(typ string) *messageBlock {
	b := &messageBlock{index: len(s.blocks), typ: typ}
	s.blocks = append(s.blocks, b)
	return b
}

// closeOpen closes the open thinking or text block, if any.
func (s *messageSink) closeOpen() error {
	b := s.open
	if b == nil {
		return nil
	}
	s.open = nil
	return s.closeBlock(b)
}

func (s *messageSink) closeBlock(b *messageBlock) error {
	b.closed = true
	if s.es == nil {
		return nil
	}
	buf := append(s.buf[:0], "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":"...)
	buf = jsonx.AppendInt(buf, int64(b.index))
	return s.write(append(buf, "}\n\n"...))
}

// start sends message_start before the first output, with the usage the
// backend reported so far.
func (s *messageSink) start() error {
	if s.started {
		return nil
	}
	s.started = true
	if s.es == nil {
		return nil
	}
	m := s.msg
	m.Usage = messagesUsage(s.t.reportedUsage())
	return s.event(anthropic.EventMessageStart, anthropic.MessageStartEvent{Type: anthropic.EventMessageStart, Message: m})
}

func (s *messageSink) blockStart(b *messageBlock) error {
	if s.es == nil {
		return nil
	}
	return s.event(anthropic.EventContentBlockStart, anthropic.ContentBlockStartEvent{Type: anthropic.EventContentBlockStart,
		Index: b.index, ContentBlock: anthropic.ContentBlock{Type: b.typ, ID: b.id, Name: b.name}})
}

// blockDelta sends a content_block_delta whose delta's member field is v.
func (s *messageSink) blockDelta(b *messageBlock, typ, field, v string) error {
	if s.es == nil {
		return nil
	}
	buf := append(s.buf[:0], "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":"...)
	buf = jsonx.AppendInt(buf, int64(b.index))
	buf = append(buf, `,"delta":{"type":"`...)
	buf = append(buf, typ...)
	buf = append(buf, `","`...)
	buf = append(buf, field...)
	buf = append(buf, `":`...)
	buf = jsonx.AppendString(buf, v)
	return s.write(append(buf, "}}\n\n"...))
}

// event sends an event encoded from v.
func (s *messageSink) event(name string, v any) error {
	js, err := gojson.Marshal(v)
	if err != nil {
		return err
	}
	return s.write(appendEventFrame(s.buf[:0], name, js))
}

func (s *messageSink) write(frame []byte) error {
	s.buf = frame
	return s.es.write(frame)
}

// end completes the answer: the Message, or the last events of the stream.
func (s *messageSink) end(u Usage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.start(); err != nil {
		return err
	}
	s.open = nil
	for _, b := range s.blocks {
		if !b.closed {
			if err := s.closeBlock(b); err != nil {
				return err
			}
		}
	}
	reason, seq := messagesStopReason(s.finish, s.stopSeq, s.refused)
	usage := messagesUsage(u)
	if s.es == nil {
		m := s.msg
		m.StopReason, m.StopSequence, m.Usage = &reason, seq, usage
		for _, b := range s.blocks {
			cb, err := b.contentBlock()
			if err != nil {
				return err
			}
			m.Content = append(m.Content, cb)
		}
		return writeJSON(s.w, http.StatusOK, m)
	}
	usage.CacheCreation, usage.ServiceTier = nil, ""
	if err := s.event(anthropic.EventMessageDelta, anthropic.MessageDeltaEvent{Type: anthropic.EventMessageDelta,
		Delta: anthropic.MessageDelta{StopReason: &reason, StopSequence: seq}, Usage: usage}); err != nil {
		return err
	}
	return s.es.write(messageStopFrame)
}

var messageStopFrame = []byte("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")

// anthropicPing is the Messages API's keep-alive.
var anthropicPing = []byte("event: ping\ndata: {\"type\": \"ping\"}\n\n")

// fail ends a stream that began with the in-band error event.
func (s *messageSink) fail(e *Error, _ Usage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.es.write(anthropicErrorFrame(e, s.w.Header().Get(headerRequestID)))
}

// anthropicErrorFrame is the in-band error event for e.
func anthropicErrorFrame(e *Error, requestID string) []byte {
	return appendEventFrame(nil, anthropic.EventError, appendAnthropicError(nil, e, requestID))
}

// contentBlock returns the block of the Message.
func (b *messageBlock) contentBlock() (anthropic.ContentBlock, error) {
	cb := anthropic.ContentBlock{Type: b.typ}
	switch b.typ {
	case anthropic.BlockThinking:
		cb.Thinking, cb.Signature = b.text.String(), b.sig.String()
	case anthropic.BlockText:
		cb.Text = b.text.String()
	case anthropic.BlockToolUse:
		cb.ID, cb.Name = b.id, b.name
		input := b.text.String()
		if input == "" {
			input = "{}"
		}
		if jsonx.FirstByte([]byte(input)) != '{' || !json.Valid([]byte(input)) {
			return cb, ServerError("The backend wrote tool input that is not a JSON object (tool '" + b.name + "').")
		}
		cb.Input = json.RawMessage(input)
	}
	return cb, nil
}

// messagesStopReason maps a chat finish reason to the Messages stop_reason
// (and stop_sequence): "stop" is end_turn, or stop_sequence when the
// backend named the stop sequence that matched (Delta.StopSequence), or
// refusal when it wrote a refusal; "length" is max_tokens; "tool_calls" is
// tool_use; "content_filter" is refusal. A backend may also finish with a
// stop_reason of the API itself (pause_turn, model_context_window_exceeded,
// ...), which is sent as it is; any other reason is end_turn.
func messagesStopReason(finish, stopSeq string, refused bool) (string, *string) {
	switch finish {
	case FinishStop, "":
		switch {
		case stopSeq != "":
			return anthropic.StopSequence, &stopSeq
		case refused:
			return anthropic.StopRefusal, nil
		}
		return anthropic.StopEndTurn, nil
	case FinishLength:
		return anthropic.StopMaxTokens, nil
	case FinishToolCalls, FinishFunctionCall:
		return anthropic.StopToolUse, nil
	case FinishContentFilter:
		return anthropic.StopRefusal, nil
	case anthropic.StopEndTurn, anthropic.StopMaxTokens, anthropic.StopToolUse, anthropic.StopPauseTurn,
		anthropic.StopRefusal, anthropic.StopModelContextWindowExceeded:
		return finish, nil
	case anthropic.StopSequence:
		if stopSeq != "" {
			return finish, &stopSeq
		}
		return finish, nil
	}
	return anthropic.StopEndTurn, nil
}

// messagesUsage is the Messages usage of a chat Usage: cached prompt tokens
// are cache reads (cache writes are unknown, so 0), reasoning tokens are
// thinking tokens.
func messagesUsage(u Usage) anthropic.Usage {
	out := anthropic.Usage{InputTokens: u.PromptTokens, OutputTokens: u.CompletionTokens,
		CacheCreation: &anthropic.CacheCreation{}, ServiceTier: "standard"}
	if d := u.PromptTokensDetails; d != nil {
		out.CacheReadInputTokens = d.CachedTokens
		out.InputTokens = max(0, u.PromptTokens-d.CachedTokens)
	}
	if d := u.CompletionTokensDetails; d != nil {
		out.OutputTokensDetails = &anthropic.OutputTokensDetails{ThinkingTokens: d.ReasoningTokens}
	}
	return out
}
