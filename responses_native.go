package oaicompat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"

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
// numbers the events of a stream (sequence_number is set by w), and answers
// a non-streamed request with the "response" of the terminal event.
//
// A Responder owns its state: the handler neither resolves
// previous_response_id nor stores its responses (GET /v1/responses/{id}
// serves only responses the translation stored). Errors follow Backend.Chat:
// a returned *[Error] before the first event is the HTTP answer; after it,
// an in-band error event.
type Responder interface {
	Respond(ctx context.Context, req *responses.Request, w *ResponseEventWriter) error
}

// ResponseEventWriter is what a [Responder] writes Responses stream events to.
type ResponseEventWriter struct {
	es *eventStream // nil: not streaming
	t  *tally

	mu    sync.Mutex
	seq   int64
	final json.RawMessage // the terminal event's response
	buf   []byte
}

var errAfterTerminal = errors.New("oaicompat: Responses event written after the terminal event")

// WriteEvent writes one event: a value that encodes to a JSON object with a
// "type" (a struct, a map, or the raw bytes of an upstream event as
// json.RawMessage). Its sequence_number is set (replaced if present). After
// a terminal event (response.completed, .incomplete, .failed) no event may
// follow.
func (w *ResponseEventWriter) WriteEvent(event any) error {
	var raw []byte
	switch v := event.(type) {
	case json.RawMessage:
		raw = v
	case []byte:
		raw = v
	default:
		var err error
		if raw, err = gojson.Marshal(event); err != nil {
			return err
		}
	}
	var m map[string]json.RawMessage
	if err := gojson.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("oaicompat: a Responses event must be a JSON object: %w", err)
	}
	var typ string
	if err := gojson.Unmarshal(m["type"], &typ); err != nil || typ == "" {
		return errors.New(`oaicompat: a Responses event needs a "type"`)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.final != nil {
		return errAfterTerminal
	}
	m["sequence_number"] = jsonx.AppendInt(nil, w.seq)
	w.seq++
	switch typ {
	case "response.completed", "response.incomplete", "response.failed":
		w.final = m["response"]
		if w.final == nil {
			w.final = json.RawMessage("null")
		}
		w.account(w.final)
	}
	if w.es == nil {
		return nil
	}
	w.t.output()
	js, err := gojson.Marshal(m)
	if err != nil {
		return err
	}
	w.buf = appendEventFrame(w.buf[:0], typ, js)
	return w.es.write(w.buf)
}

// account reports the terminal response's usage and finish to the tally.
func (w *ResponseEventWriter) account(final json.RawMessage) {
	var resp struct {
		Status            string                       `json:"status"`
		IncompleteDetails *responses.IncompleteDetails `json:"incomplete_details"`
		Usage             *responses.Usage             `json:"usage"`
		Output            []struct {
			Type string `json:"type"`
		} `json:"output"`
	}
	if gojson.Unmarshal(final, &resp) != nil {
		return
	}
	if resp.Usage != nil {
		w.t.report(chatUsage(resp.Usage))
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
	w.t.delta(0, &Delta{FinishReason: reason})
}

// responderAnswer is the answer of a [Responder] backend.
type responderAnswer struct {
	rs  Responder
	req *responses.Request
	w   http.ResponseWriter
	ew  *ResponseEventWriter
}

func newResponderAnswer(x *exchange, rs Responder, req *responses.Request) *responderAnswer {
	x.t.grow(1)
	return &responderAnswer{rs: rs, req: req, w: x.w, ew: &ResponseEventWriter{es: x.es, t: &x.t}}
}

func (a *responderAnswer) run(ctx context.Context) error {
	if err := a.rs.Respond(ctx, a.req, a.ew); err != nil {
		return err
	}
	if a.ew.final == nil || jsonx.IsNull(a.ew.final) {
		return errors.New("oaicompat: Responder returned without a terminal event carrying the response")
	}
	return nil
}

// end sends a non-streamed answer: the terminal event's response.
func (a *responderAnswer) end() error {
	if a.ew.es != nil {
		return nil
	}
	a.w.Header().Set("Content-Type", "application/json")
	_, err := a.w.Write(a.ew.final)
	return err
}

// fail sends the in-band error event.
func (a *responderAnswer) fail(e *Error) error {
	ew := a.ew
	ew.mu.Lock()
	defer ew.mu.Unlock()
	b := append([]byte(`{"type":"error","sequence_number":`), jsonx.AppendInt(nil, ew.seq)...)
	b = append(appendErrorEventFields(b, e), '}')
	return ew.es.write(appendEventFrame(nil, "error", b))
}
