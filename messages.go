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
type messagesDialect struct{ messagesRequest }

// messagesRequest is what the two Messages dialects share: the request,
// the Anthropic error envelope and the API's wording of type errors.
type messagesRequest struct{ req anthropic.Request }

func (d *messagesRequest) target() any                                { return &d.req }
func (d *messagesRequest) writeError(w http.ResponseWriter, e *Error) { writeAnthropicError(w, e) }
func (d *messagesRequest) typeError(param, want, got string) *Error {
	return anthropicTypeError(param, want, got)
}

// complete fills in and validates the decoded request (create: a
// POST /v1/messages, which needs max_tokens).
func (d *messagesRequest) complete(raw []byte, extra map[string]json.RawMessage, model string, create bool) error {
	r := &d.req
	r.Raw, r.Extra = raw, extra
	if model != "" {
		r.Model = model
	}
	return validateMessagesRequest(r, create)
}

func (d *messagesDialect) endpoint() string { return "messages" }

func (d *messagesDialect) prepare(raw []byte, extra map[string]json.RawMessage, model string) (requestInfo, error) {
	r := &d.req
	if err := d.complete(raw, extra, model, true); err != nil {
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

// TokenCounter is an optional [Backend] capability behind POST
// /v1/messages/count_tokens: it returns the number of input tokens req
// would use (its messages, system prompt and tools). req is the
// translation of the request onto Chat, whatever the dialect
// ([ChatRequest].Raw holds the request as sent). Without it the endpoint answers 404
// not_found_error rather than a guess: a client that needs the count knows
// it has none.
type TokenCounter interface {
	CountTokens(ctx context.Context, req *ChatRequest) (int, error)
}

// countTokensDialect is POST /v1/messages/count_tokens, answered by a
// TokenCounter with the translated request.
type countTokensDialect struct {
	messagesRequest
	tc   TokenCounter
	chat *ChatRequest
	w    http.ResponseWriter
	n    int
}

func (d *countTokensDialect) endpoint() string { return "messages.count_tokens" }

func (d *countTokensDialect) supportedBy(b Backend) bool {
	_, ok := b.(TokenCounter)
	return ok
}

func (d *countTokensDialect) prepare(raw []byte, extra map[string]json.RawMessage, model string) (requestInfo, error) {
	err := d.complete(raw, extra, model, false)
	d.req.Stream = false
	return requestInfo{model: d.req.Model}, err
}

// The dialect is its own answer: one call, one JSON object, never a stream.
func (d *countTokensDialect) answer(x *exchange) (answer, error) {
	chat, err := messagesToChat(&d.req)
	d.tc, d.chat, d.w = x.h.backend.(TokenCounter), chat, x.w
	return d, err
}

func (d *countTokensDialect) run(ctx context.Context) (err error) {
	d.n, err = d.tc.CountTokens(ctx, d.chat)
	return err
}

func (d *countTokensDialect) end() error {
	return writeJSON(d.w, http.StatusOK, anthropic.CountTokensResponse{InputTokens: d.n})
}

func (d *countTokensDialect) fail(*Error) error { return nil }
