package oaicompat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"

	gojson "github.com/goccy/go-json"
)

// Responder is an optional Backend capability for a backend that speaks the
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
// a returned *Error before the first event is the HTTP answer; after it,
// an in-band error event.
type Responder interface {
	Respond(ctx context.Context, req *ResponseRequest, w *ResponseEventWriter) error
}

// ResponseEventWriter is what a Responder writes Responses stream events to.
type ResponseEventWriter struct {
	es *eventStream // nil: not streaming

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
	m["sequence_number"] = appendInt(nil, w.seq)
	w.seq++
	switch typ {
	case "response.completed", "response.incomplete", "response.failed":
		w.final = m["response"]
		if w.final == nil {
			w.final = json.RawMessage("null")
		}
	}
	if w.es == nil {
		return nil
	}
	js, err := gojson.Marshal(m)
	if err != nil {
		return err
	}
	w.buf = appendEventFrame(w.buf[:0], typ, js)
	return w.es.write(w.buf)
}

// serveNativeResponses runs a Responder.
func (h *Handler) serveNativeResponses(w http.ResponseWriter, r *http.Request, rs Responder, req *ResponseRequest) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	if !req.Stream {
		ew := &ResponseEventWriter{}
		err := call(func() error { return rs.Respond(ctx, req, ew) })
		if err == nil && (ew.final == nil || isNull(ew.final)) {
			err = errors.New("oaicompat: Responder returned without a terminal event carrying the response")
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(ew.final)
		return
	}
	es := newEventStream(w, cancel, h.cfg.keepAlive)
	defer es.close()
	ew := &ResponseEventWriter{es: es}
	err := call(func() error { return rs.Respond(ctx, req, ew) })
	if err == nil {
		return
	}
	e := h.streamError(w, r, es, err)
	if e == nil {
		return
	}
	ew.mu.Lock()
	defer ew.mu.Unlock()
	b := append([]byte(`{"type":"error","sequence_number":`), appendInt(nil, ew.seq)...)
	b = append(appendErrorEventFields(b, e), '}')
	_ = es.write(appendEventFrame(nil, "error", b))
}
