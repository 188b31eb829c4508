package oaicompat

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"

	gojson "github.com/goccy/go-json"
)

// chatDialect is POST /v1/chat/completions: the [Backend]'s own format. The
// answer is the backend's deltas, collected into one chat.completion
// (chatCollector) or streamed as chunks (chatStream).
type chatDialect struct{ req ChatRequest }

func (d *chatDialect) endpoint() string                           { return "chat.completions" }
func (d *chatDialect) target() any                                { return &d.req }
func (d *chatDialect) writeError(w http.ResponseWriter, e *Error) { WriteError(w, e) }

func (d *chatDialect) prepare(raw []byte, extra map[string]json.RawMessage, model string) (requestInfo, error) {
	r := &d.req
	r.Raw, r.Extra = raw, extra
	if model != "" {
		r.Model = model
	}
	return r.info(), r.validate()
}

func (d *chatDialect) answer(x *exchange) (answer, error) {
	r := &d.req
	id, created := x.h.cfg.ids("chatcmpl-"), x.h.cfg.now().Unix()
	if x.es == nil {
		return x.translated(newChatCollector(x.w, id, created, r, x.h.cfg.reasoningField), r), nil
	}
	return x.translated(newChatStream(x.es, id, created, r, x.h.cfg.reasoningField), r), nil
}

// info is what the path needs to know of the request.
func (r *ChatRequest) info() requestInfo {
	n, _ := r.TokenLimit()
	return requestInfo{model: r.Model, stream: r.Stream, maxOutput: n * r.Choices()}
}

// runChat calls the backend once, or once per choice when n>1 and the
// backend is not a [MultiChoice], and finishes the choices it left open.
// Tool calls the backend gives no id get one with callPrefix.
func (h *Handler) runChat(ctx context.Context, req *ChatRequest, s sink, callPrefix string) error {
	w := newChatWriter(s, req, h.cfg.ids, callPrefix)
	defer w.close()
	n := req.Choices()
	mc, isMulti := h.backend.(MultiChoice)
	var err error
	switch {
	case n == 1:
		err = call(func() error { return h.backend.Chat(ctx, req, w) })
	case isMulti:
		err = call(func() error { return mc.ChatChoices(ctx, req, w) })
	default:
		err = h.fanOut(ctx, req, w, n)
	}
	if err != nil {
		return err
	}
	return w.finishOpen()
}

// fanOut calls the backend once per choice, concurrently: the first error
// cancels the others.
func (h *Handler) fanOut(ctx context.Context, req *ChatRequest, w *ChatWriter, n int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(cw *ChatWriter) {
			defer wg.Done()
			err := call(func() error { return h.backend.Chat(ctx, req, cw) })
			if err == nil {
				err = cw.finishIfOpen()
			}
			if err != nil {
				once.Do(func() { firstErr = err; cancel() })
			}
		}(w.Choice(i))
	}
	wg.Wait()
	return firstErr
}

// writeJSON writes v as a JSON response.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	// Not MarshalNoEscape: it keeps pointers the runtime may move, and
	// crashed under load.
	b, err := gojson.Marshal(v)
	if err != nil {
		return err
	}
	w.Header()["Content-Type"] = headerJSON
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}
