package oaicompat_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"

	"github.com/oaicompat/oaicompat"
	oaresponses "github.com/oaicompat/oaicompat/responses"
)

// native is a Backend that also speaks the Responses API natively: it
// answers with a reasoning item, which the chat translation cannot produce.
type native struct{ dialectBackend }

func (*native) Respond(_ context.Context, req *oaresponses.Request, w *oaicompat.EventWriter) error {
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

func TestResponderBypassesTranslation(t *testing.T) {
	be := &native{}
	srv := serveDialects(t, be)
	client := goClient(srv.URL)
	ctx := context.Background()
	params := responses.ResponseNewParams{Model: "m1", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")},
		Tools: []responses.ToolUnionParam{{OfWebSearch: &responses.WebSearchToolParam{Type: responses.WebSearchToolTypeWebSearch}}}}
	resp, err := client.Responses.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if resp.ID != "resp_native" || resp.OutputText() != "native answer" || resp.Output[0].Type != "reasoning" {
		t.Errorf("response = %s", resp.RawJSON())
	}
	stream := client.Responses.NewStreaming(ctx, params)
	var seqs []int64
	var types []string
	for stream.Next() {
		seqs = append(seqs, stream.Current().SequenceNumber)
		types = append(types, stream.Current().Type)
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if len(seqs) != 4 || seqs[0] != 0 || seqs[3] != 3 || types[3] != "response.completed" {
		t.Errorf("events %v %v", types, seqs)
	}
	if be.lastRequest() != nil {
		t.Error("the chat path ran")
	}
	if !strings.Contains(resp.RawJSON(), `"summary_text"`) {
		t.Errorf("reasoning item lost: %s", resp.RawJSON())
	}
}
