package oaicompat_test

import (
	"context"
	"errors"
	"testing"

	"github.com/oaicompat/oaicompat"
)

// TestWriterChecks covers the mistakes a backend can make with a ChatWriter.
func TestWriterChecks(t *testing.T) {
	t.Parallel()
	late := make(chan *oaicompat.ChatWriter, 1)
	errs := make(chan error, 8)
	srv := serve(t, oaicompat.NewHandler(oaicompat.ChatFunc(func(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		switch req.LastUserMessage() {
		case "late":
			late <- w
			return w.WriteText("ok")
		case "order":
			errs <- w.WriteDelta(oaicompat.Delta{ToolCall: &oaicompat.ToolCallDelta{Index: 1, Name: "f"}})
			errs <- w.WriteDelta(oaicompat.Delta{ToolCall: &oaicompat.ToolCallDelta{Index: 0, Arguments: "{}"}})
			errs <- w.WriteToolCall("", "f", "{}")
			return nil
		case "finished":
			_ = w.Finish(oaicompat.FinishStop)
			errs <- w.WriteText("more")
			return nil
		}
		return nil
	})))
	post(t, srv.URL+"/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"late"}]}`)
	if err := (<-late).WriteText("too late"); !errors.Is(err, oaicompat.ErrWriterClosed) {
		t.Errorf("write after return: %v", err)
	}
	_, _, body := post(t, srv.URL+"/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"order"}],"tools":[{"type":"function","function":{"name":"f"}}]}`)
	if err := <-errs; err == nil {
		t.Error("tool call index 1 before 0 accepted")
	}
	if err := <-errs; err == nil {
		t.Error("arguments for a call never started accepted")
	}
	if err := <-errs; err != nil {
		t.Errorf("a proper call failed: %v", err)
	}
	if m := decodeJSON(t, body); m["choices"].([]any)[0].(map[string]any)["finish_reason"] != "tool_calls" {
		t.Errorf("finish reason must follow the emitted tool call: %s", body)
	}
	post(t, srv.URL+"/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"finished"}]}`)
	if err := <-errs; !errors.Is(err, oaicompat.ErrChoiceFinished) {
		t.Errorf("write after Finish: %v", err)
	}
}
