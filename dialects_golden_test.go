package oaicompat_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
)

// parallel starts two calls and interleaves their argument fragments, then
// says something.
type parallel struct{}

func (parallel) Chat(_ context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	a, _ := w.StartToolCall("call_a", "f")
	b, _ := w.StartToolCall("call_b", "g")
	for _, s := range []struct {
		i    int
		frag string
	}{{a, `{"x":`}, {b, `{"y":`}, {a, `1}`}, {b, `2}`}} {
		if err := w.WriteToolCallArguments(s.i, s.frag); err != nil {
			return err
		}
	}
	return w.WriteText("done")
}

// messagesTools offers one tool in a Messages request.
const messagesTools = `"tools":[{"name":"get_weather","description":"Weather of a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}]`

// TestDialectGoldenTranscripts pins the exact bytes of Responses, legacy
// completions and Anthropic Messages answers, streamed and not, under
// testdata/dialects/.
func TestDialectGoldenTranscripts(t *testing.T) {
	tools := `"tools":[{"type":"function","name":"get_weather","parameters":{"type":"object"}}]`
	tests := []struct {
		name    string
		backend oaicompat.Backend
		path    string
		body    string
	}{
		{"responses_text.json", &dialectBackend{}, "/v1/responses", `{"model":"m1","input":"hello world"}`},
		{"responses_text_stream.sse", &dialectBackend{}, "/v1/responses", `{"model":"m1","input":"hello world","stream":true,"instructions":"be brief"}`},
		{"responses_tool_call.json", &dialectBackend{}, "/v1/responses", `{"model":"m1","input":"weather?",` + tools + `}`},
		{"responses_tool_call_stream.sse", &dialectBackend{}, "/v1/responses", `{"model":"m1","input":"weather?","stream":true,` + tools + `}`},
		{"responses_parallel_stream.sse", parallel{}, "/v1/responses", `{"model":"m1","input":"x","stream":true,"tools":[{"type":"function","name":"f"},{"type":"function","name":"g"}]}`},
		{"responses_incomplete_stream.sse", &dialectBackend{}, "/v1/responses", `{"model":"m1","input":"` + strings.Repeat("w ", 20) + `","max_output_tokens":16,"stream":true}`},
		{"responses_refusal_stream.sse", &dialectBackend{}, "/v1/responses", `{"model":"m1","input":"refuse","stream":true}`},
		{"responses_logprobs_stream.sse", &dialectBackend{}, "/v1/responses", `{"model":"m1","input":"hi","stream":true,"include":["message.output_text.logprobs"],"top_logprobs":1}`},
		{"responses_failed_stream.sse", failing{}, "/v1/responses", `{"model":"m1","input":"x","stream":true}`},
		{"completions.json", &dialectBackend{}, "/v1/completions", `{"model":"m1","prompt":["a","b"],"n":2,"echo":true}`},
		{"completions_stream.sse", &dialectBackend{}, "/v1/completions", `{"model":"m1","prompt":"a b","stream":true,"logprobs":1,"stream_options":{"include_usage":true}}`},
		{"completions_failed_stream.sse", failing{}, "/v1/completions", `{"model":"m1","prompt":"x","stream":true}`},
		{"messages_text.json", &messagesBackend{}, "/v1/messages", `{"model":"m1","max_tokens":100,"messages":[{"role":"user","content":"hello world"}]}`},
		{"messages_text_stream.sse", &messagesBackend{}, "/v1/messages?beta=true", `{"model":"m1","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hello world"}]}`},
		{"messages_tool_use.json", &messagesBackend{}, "/v1/messages", `{"model":"m1","max_tokens":100,"messages":[{"role":"user","content":"weather?"}],` + messagesTools + `}`},
		{"messages_tool_use_stream.sse", &messagesBackend{}, "/v1/messages", `{"model":"m1","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"weather?"}],` + messagesTools + `}`},
		{"messages_parallel_stream.sse", parallel{}, "/v1/messages", `{"model":"m1","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f","input_schema":{"type":"object"}},{"name":"g","input_schema":{"type":"object"}}]}`},
		{"messages_thinking.json", &messagesBackend{}, "/v1/messages", `{"model":"m1","max_tokens":2048,"thinking":{"type":"enabled","budget_tokens":1024},"messages":[{"role":"user","content":"think"}]}`},
		{"messages_thinking_stream.sse", &messagesBackend{}, "/v1/messages", `{"model":"m1","max_tokens":2048,"stream":true,"thinking":{"type":"enabled","budget_tokens":1024},"messages":[{"role":"user","content":"think"}]}`},
		{"messages_stop_sequence_stream.sse", &messagesBackend{}, "/v1/messages", `{"model":"m1","max_tokens":100,"stream":true,"stop_sequences":["###"],"messages":[{"role":"user","content":"stop"}]}`},
		{"messages_max_tokens_stream.sse", &messagesBackend{}, "/v1/messages", `{"model":"m1","max_tokens":3,"stream":true,"messages":[{"role":"user","content":"a b c d"}]}`},
		{"messages_failed_stream.sse", failing{}, "/v1/messages", `{"model":"m1","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"x"}]}`},
		{"messages_count_tokens.json", &messagesBackend{}, "/v1/messages/count_tokens", `{"model":"m1","system":"be brief","messages":[{"role":"user","content":"one two three"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serveDialects(t, tt.backend, deterministic()...)
			res, err := http.Post(srv.URL+tt.path, "application/json", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			got, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != 200 {
				t.Fatalf("status %d: %s", res.StatusCode, got)
			}
			goldenFile(t, "dialects/"+tt.name, got)
		})
	}
}

// goldenFile compares got with testdata/<name>, or rewrites it under -update.
func goldenFile(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestDialectGoldenTranscripts -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n got: %s\nwant: %s", name, got, want)
	}
}
