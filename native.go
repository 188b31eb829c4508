package oaicompat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"

	gojson "github.com/goccy/go-json"
)

// EventWriter is what a backend that speaks a dialect natively writes the
// dialect's stream events to: a [Responder] writes Responses API events, a
// [MessageCreator] Anthropic Messages events. The backend writes the same
// events whether the client asked for a stream or not: the handler frames
// and flushes them as server-sent events ("event: <type>" then "data:
// <json>") for a stream, and builds the one object of a non-streamed
// answer from them (see Responder and MessageCreator for each dialect's
// events and what the handler does with them). [EventWriter.WriteEvent]
// writes one.
//
// An EventWriter is safe for concurrent use. No event may follow the
// dialect's terminal event.
type EventWriter struct {
	es *eventStream // nil: not streaming
	t  *tally
	d  nativeDialect

	mu     sync.Mutex
	done   bool  // the terminal event was written
	failed error // an error event the backend wrote, answered instead
	buf    []byte
}

// nativeDialect is a native dialect's part of an EventWriter: how its
// events are numbered, which one ends the answer, what the tally learns
// from them, and the answer to a non-streamed request.
type nativeDialect interface {
	// event sees each event before it is sent: typ is its type, m its
	// members, which event may change (reporting changed). terminal
	// reports the last event of the answer. A non-nil error refuses the
	// event; an *Error ends the answer with that error.
	event(typ string, m map[string]json.RawMessage) (changed, terminal bool, err error)
	// complete checks, once the backend returned, that it wrote a whole
	// answer.
	complete() error
	// body is the answer to a non-streamed request.
	body() ([]byte, error)
	// errorEvent returns the in-band error event for e: its name and JSON.
	errorEvent(e *Error) (string, []byte)
}

var errAfterTerminal = errors.New("oaicompat: event written after the terminal event")

func newEventWriter(x *exchange, d nativeDialect) *EventWriter {
	x.t.grow(1)
	return &EventWriter{es: x.es, t: &x.t, d: d}
}

// WriteEvent writes one event: a value that encodes to a JSON object with
// a "type" (a struct such as an [anthropic.ContentBlockDeltaEvent], a
// map, or the raw bytes of an upstream event as [json.RawMessage] or
// []byte). It fails after the dialect's terminal event.
func (w *EventWriter) WriteEvent(event any) error {
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
		return fmt.Errorf("oaicompat: an event must be a JSON object: %w", err)
	}
	var typ string
	if err := gojson.Unmarshal(m["type"], &typ); err != nil || typ == "" {
		return errors.New(`oaicompat: an event needs a "type"`)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done || w.failed != nil {
		return errAfterTerminal
	}
	changed, terminal, err := w.d.event(typ, m)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			w.failed = e
		}
		return err
	}
	w.done = terminal
	if w.es == nil {
		return nil
	}
	w.t.output()
	var js []byte
	switch {
	case changed:
		if js, err = gojson.Marshal(m); err != nil {
			return err
		}
	case bytes.ContainsAny(raw, "\r\n"):
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			return err
		}
		js = b.Bytes()
	default:
		js = raw
	}
	w.buf = appendEventFrame(w.buf[:0], typ, js)
	return w.es.write(w.buf)
}

// nativeAnswer is the answer of a backend that speaks the dialect: call
// runs it with the EventWriter.
type nativeAnswer struct {
	ew   *EventWriter
	w    http.ResponseWriter
	call func(ctx context.Context, w *EventWriter) error
}

func (a *nativeAnswer) run(ctx context.Context) error {
	if err := a.call(ctx, a.ew); err != nil {
		return err
	}
	a.ew.mu.Lock()
	defer a.ew.mu.Unlock()
	if a.ew.failed != nil {
		return a.ew.failed
	}
	return a.ew.d.complete()
}

// end sends a non-streamed answer: the object built from the events.
func (a *nativeAnswer) end() error {
	if a.ew.es != nil {
		return nil
	}
	b, err := a.ew.d.body()
	if err != nil {
		return err
	}
	a.w.Header()["Content-Type"] = headerJSON
	_, err = a.w.Write(b)
	return err
}

// fail sends the in-band error event.
func (a *nativeAnswer) fail(e *Error) error {
	ew := a.ew
	ew.mu.Lock()
	defer ew.mu.Unlock()
	name, js := ew.d.errorEvent(e)
	return ew.es.write(appendEventFrame(nil, name, js))
}
