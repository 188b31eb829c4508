package oaicompat

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/oaicompat/oaicompat/anthropic"
)

// messagesDialect is POST /v1/messages, the Anthropic Messages API: handed
// to a MessageCreator backend as is, or translated onto the chat Backend
// (messagesToChat) and run into a messageSink. The keep-alive of its
// streams is the API's "event: ping"; its errors are in the Anthropic
// envelope (messages_errors.go).
type messagesDialect struct{ req anthropic.Request }

func (d *messagesDialect) endpoint() string                           { return "messages" }
func (d *messagesDialect) target() any                                { return &d.req }
func (d *messagesDialect) writeError(w http.ResponseWriter, e *Error) { writeAnthropicError(w, e) }
func (d *messagesDialect) typeError(param, want, got string) *Error {
	return anthropicTypeError(param, want, got)
}

func (d *messagesDialect) prepare(raw []byte, extra map[string]json.RawMessage, model string) (requestInfo, error) {
	r := &d.req
	r.Raw, r.Extra = raw, extra
	if model != "" {
		r.Model = model
	}
	if err := validateMessagesRequest(r, true); err != nil {
		return requestInfo{model: r.Model, stream: r.Stream}, err
	}
	return requestInfo{model: r.Model, stream: r.Stream, maxOutput: *r.MaxTokens}, nil
}

func (d *messagesDialect) answer(x *exchange) (answer, error) {
	r := &d.req
	if x.es != nil {
		x.es.ping = anthropicPing
	}
	if mc, ok := x.h.backend.(MessageCreator); ok {
		return newMessageCreatorAnswer(x, mc, r), nil
	}
	chat, err := messagesToChat(r)
	if err != nil {
		return nil, err
	}
	a := x.translated(newMessageSink(x, x.h.cfg.ids("msg_"), r.Model), chat)
	a.callPrefix = "toolu_"
	return a, nil
}

// TokenCounter is an optional Backend capability behind POST
// /v1/messages/count_tokens: it returns the number of input tokens req
// would use (its messages, system prompt and tools). req is the
// translation of the request onto Chat, whatever the dialect (Raw holds
// the request as sent). Without it the endpoint answers 404
// not_found_error rather than a guess: a client that needs the count knows
// it has none.
type TokenCounter interface {
	CountTokens(ctx context.Context, req *ChatRequest) (int, error)
}

// countTokensDialect is POST /v1/messages/count_tokens, answered by a
// TokenCounter.
type countTokensDialect struct{ req anthropic.Request }

func (d *countTokensDialect) endpoint() string                           { return "messages.count_tokens" }
func (d *countTokensDialect) target() any                                { return &d.req }
func (d *countTokensDialect) writeError(w http.ResponseWriter, e *Error) { writeAnthropicError(w, e) }
func (d *countTokensDialect) typeError(param, want, got string) *Error {
	return anthropicTypeError(param, want, got)
}

func (d *countTokensDialect) supportedBy(b Backend) bool {
	_, ok := b.(TokenCounter)
	return ok
}

func (d *countTokensDialect) prepare(raw []byte, extra map[string]json.RawMessage, model string) (requestInfo, error) {
	r := &d.req
	r.Raw, r.Extra = raw, extra
	if model != "" {
		r.Model = model
	}
	r.Stream = false
	return requestInfo{model: r.Model}, validateMessagesRequest(r, false)
}

func (d *countTokensDialect) answer(x *exchange) (answer, error) {
	chat, err := messagesToChat(&d.req)
	if err != nil {
		return nil, err
	}
	return &countTokensAnswer{tc: x.h.backend.(TokenCounter), req: chat, w: x.w}, nil
}

// countTokensAnswer asks the TokenCounter and answers {"input_tokens":n}.
type countTokensAnswer struct {
	tc  TokenCounter
	req *ChatRequest
	w   http.ResponseWriter
	n   int
}

func (a *countTokensAnswer) run(ctx context.Context) (err error) {
	a.n, err = a.tc.CountTokens(ctx, a.req)
	return err
}

func (a *countTokensAnswer) end() error {
	return writeJSON(a.w, http.StatusOK, anthropic.CountTokensResponse{InputTokens: a.n})
}

// fail is never called: the answer is not a stream.
func (a *countTokensAnswer) fail(*Error) error { return nil }
