package oaicompat

import (
	"context"
	"encoding/json"
	"errors"

	gojson "github.com/goccy/go-json"

	"github.com/oaicompat/oaicompat/internal/jsonx"
	"github.com/oaicompat/oaicompat/responses"
)

// Responder is an optional [Backend] capability for a backend that speaks the
// Responses API natively (a relay to an upstream Responses API, a backend
// with reasoning items or built-in tools). When a Backend implements it,
// POST /v1/responses bypasses the translation onto Chat: after decoding and
// validation the request goes to Respond as is.
//
// Respond writes the Responses stream events to w, from response.created to
// a terminal response.completed, response.incomplete or response.failed,
// for streamed and non-streamed requests alike: the handler frames and
// numbers the events of a stream (w sets sequence_number, replacing any
// the event carries), and answers a non-streamed request with the
// "response" of the terminal event.
//
// A Responder owns its state: the handler neither resolves
// previous_response_id nor stores its responses (GET /v1/responses/{id}
// serves only responses the translation stored). Errors follow Backend.Chat:
// a returned *[Error] before the first event is the HTTP answer; after it,
// an in-band error event.
type Responder interface {
	Respond(ctx context.Context, req *responses.Request, w *EventWriter) error
}

func newResponderAnswer(x *exchange, rs Responder, req *responses.Request) *nativeAnswer {
	ew := newEventWriter(x, &responseEvents{t: &x.t})
	return &nativeAnswer{ew: ew, w: x.w, call: func(ctx context.Context, w *EventWriter) error {
		return rs.Respond(ctx, req, w)
	}}
}

// responseEvents is the Responses API's part of an EventWriter: events are
// numbered, and the terminal event's response is the answer.
type responseEvents struct {
	t     *tally
	seq   int64
	final json.RawMessage // the terminal event's response
}

func (r *responseEvents) event(typ string, m map[string]json.RawMessage) (changed, terminal bool, err error) {
	m["sequence_number"] = jsonx.AppendInt(nil, r.seq)
	r.seq++
	switch typ {
	case "response.completed", "response.incomplete", "response.failed":
		r.final = m["response"]
		if r.final == nil {
			r.final = json.RawMessage("null")
		}
		r.account()
		return true, true, nil
	}
	return true, false, nil
}

func (r *responseEvents) complete() error {
	if r.final == nil || jsonx.IsNull(r.final) {
		return errors.New("oaicompat: Responder returned without a terminal event carrying the response")
	}
	return nil
}

func (r *responseEvents) body() ([]byte, error) { return r.final, nil }

func (r *responseEvents) errorEvent(e *Error) (string, []byte) {
	b := append([]byte(`{"type":"error","sequence_number":`), jsonx.AppendInt(nil, r.seq)...)
	return "error", append(appendErrorEventFields(b, e), '}')
}

// account reports the terminal response's usage and finish to the tally.
func (r *responseEvents) account() {
	var resp struct {
		Status            string                       `json:"status"`
		IncompleteDetails *responses.IncompleteDetails `json:"incomplete_details"`
		Usage             *responses.Usage             `json:"usage"`
		Output            []struct {
			Type string `json:"type"`
		} `json:"output"`
	}
	if gojson.Unmarshal(r.final, &resp) != nil {
		return
	}
	if resp.Usage != nil {
		r.t.report(chatUsage(resp.Usage))
	}
	reason := ""
	switch resp.Status {
	case responses.StatusCompleted:
		reason = FinishStop
		for _, o := range resp.Output {
			if o.Type == "function_call" {
				reason = FinishToolCalls
			}
		}
	case responses.StatusIncomplete:
		reason = FinishLength
		if resp.IncompleteDetails != nil && resp.IncompleteDetails.Reason == "content_filter" {
			reason = FinishContentFilter
		}
	}
	r.t.delta(0, &Delta{FinishReason: reason})
}
