package handlertest

import (
	"context"
	"encoding/json"

	"github.com/oaicompat/oaicompat"
	oaresponses "github.com/oaicompat/oaicompat/responses"
)

// Native is a Backend that also speaks the Responses API natively: it
// answers with a reasoning item, which the chat translation cannot produce.
type Native struct{ Dialect }

// Respond implements oaicompat.Responder.
func (*Native) Respond(_ context.Context, req *oaresponses.Request, w *oaicompat.EventWriter) error {
	resp := map[string]any{"id": "resp_native", "object": "response", "created_at": 1, "status": "in_progress", "model": req.Model, "output": []any{}}
	if err := w.WriteEvent(map[string]any{"type": "response.created", "sequence_number": 99, "response": resp}); err != nil {
		return err
	}
	reasoning := map[string]any{"type": "reasoning", "id": "rs_1", "summary": []any{map[string]any{"type": "summary_text", "text": "thought"}}}
	msg := map[string]any{"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
		"content": []any{map[string]any{"type": "output_text", "text": "native answer", "annotations": []any{}}}}
	for i, item := range []any{reasoning, msg} {
		if err := w.WriteEvent(map[string]any{"type": "response.output_item.done", "output_index": i, "item": item}); err != nil {
			return err
		}
	}
	resp["status"], resp["output"] = "completed", []any{reasoning, msg}
	// An upstream event relayed as raw bytes.
	raw, _ := json.Marshal(map[string]any{"type": "response.completed", "sequence_number": 7, "response": resp})
	return w.WriteEvent(json.RawMessage(raw))
}
