package oaicompat_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// deterministic makes ids and timestamps stable for golden files.
func deterministic() []oaicompat.Option {
	n := 0
	return []oaicompat.Option{
		oaicompat.WithIDGenerator(func(prefix string) string { n++; return fmt.Sprintf("%s%03d", prefix, n) }),
		oaicompat.WithClock(func() time.Time { return time.Unix(1700000000, 0) }),
	}
}

// scriptBackend writes its deltas in order; a MultiChoice so that n>1 output
// is deterministic.
type scriptBackend struct {
	deltas []scripted
	usage  *oaicompat.Usage
	err    error
}

type scripted struct {
	choice int
	d      oaicompat.Delta
}

func (s scriptBackend) Chat(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	return s.ChatChoices(ctx, req, w)
}

func (s scriptBackend) ChatChoices(_ context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	for _, sd := range s.deltas {
		if err := w.Choice(sd.choice).WriteDelta(sd.d); err != nil {
			return err
		}
	}
	if s.usage != nil {
		w.SetUsage(*s.usage)
	}
	return s.err
}

func text(choice int, s string) scripted { return scripted{choice, oaicompat.Delta{Content: s}} }
func call(choice, index int, id, name, args string) scripted {
	return scripted{choice, oaicompat.Delta{ToolCall: &oaicompat.ToolCallDelta{Index: index, ID: id, Name: name, Arguments: args}}}
}

func streamBody(extra string) string {
	return `{"model":"golden","stream":true,"messages":[{"role":"user","content":"hi"}]` + extra + `}`
}

// TestStreamGolden compares whole SSE transcripts with testdata/*.golden.
// Run with -update to rewrite them after an intended change.
func TestStreamGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		backend scriptBackend
		body    string
	}{
		{"text", scriptBackend{deltas: []scripted{text(0, "Hel"), text(0, "lo \"world\"\n")}}, streamBody("")},
		{"usage", scriptBackend{deltas: []scripted{text(0, "Hi")}, usage: &oaicompat.Usage{PromptTokens: 5, CompletionTokens: 1}},
			streamBody(`,"stream_options":{"include_usage":true}`)},
		{"tool_calls", scriptBackend{deltas: []scripted{
			call(0, 0, "call_a", "get_weather", ""), call(0, 0, "", "", `{"city":`), call(0, 0, "", "", `"Paris"}`),
			call(0, 1, "call_b", "get_time", `{"tz":"CET"}`),
		}}, streamBody(`,"tools":[{"type":"function","function":{"name":"get_weather"}},{"type":"function","function":{"name":"get_time"}}]`)},
		{"refusal", scriptBackend{deltas: []scripted{{0, oaicompat.Delta{Refusal: "I can't."}}}}, streamBody("")},
		{"length", scriptBackend{deltas: []scripted{text(0, "cut"), {0, oaicompat.Delta{FinishReason: "length"}}}}, streamBody("")},
		{"two_choices", scriptBackend{deltas: []scripted{text(0, "A"), text(1, "B"), text(1, "b"), text(0, "a")}}, streamBody(`,"n":2`)},
		{"error_mid_stream", scriptBackend{deltas: []scripted{text(0, "partial")}, err: oaicompat.ServerError("the model crashed")}, streamBody("")},
		{"empty_answer", scriptBackend{}, streamBody("")},
		{"logprobs", scriptBackend{deltas: []scripted{{0, oaicompat.Delta{Content: "Hi", Logprobs: []oaicompat.TokenLogprob{
			{Token: "Hi", Logprob: -0.25, Bytes: []int{72, 105}, TopLogprobs: []oaicompat.TopLogprob{{Token: "Hi", Logprob: -0.25, Bytes: []int{72, 105}}}}}}}}},
			streamBody(`,"logprobs":true,"top_logprobs":1`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, oaicompat.NewHandler(tt.backend, deterministic()...))
			status, hdr, body := post(t, srv.URL+"/v1/chat/completions", tt.body)
			if status != 200 || hdr.Get("Content-Type") != "text/event-stream; charset=utf-8" {
				t.Fatalf("status %d, content type %q", status, hdr.Get("Content-Type"))
			}
			checkChatStream(t, body)
			golden := filepath.Join("testdata", "stream_"+tt.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestStreamGolden -update)", err)
			}
			if body != string(want) {
				t.Errorf("transcript differs from %s:\n--- got\n%s\n--- want\n%s", golden, body, want)
			}
		})
	}
}

// checkChatStream checks every invariant of a chat SSE stream that a client
// relies on, and returns the decoded chunks.
func checkChatStream(t testing.TB, body string) []map[string]any {
	t.Helper()
	events := sseEvents(t, body)
	if len(events) == 0 || events[len(events)-1] != "[DONE]" {
		t.Fatalf("stream does not end with data: [DONE]: %q", body)
	}
	var chunks []map[string]any
	var id, model string
	var created float64
	roleSeen := map[float64]bool{}
	finished := map[float64]bool{}
	callsSeen := map[[2]float64]bool{}
	usageChunks, failed := 0, false
	for i, ev := range events[:len(events)-1] {
		m := decodeJSON(t, ev)
		if _, isErr := m["error"]; isErr {
			if i != len(events)-2 {
				t.Errorf("in-band error is not the last event before [DONE]")
			}
			failed = true
			continue
		}
		chunks = append(chunks, m)
		if m["object"] != "chat.completion.chunk" {
			t.Errorf("object %v", m["object"])
		}
		if i == 0 {
			id, model, created = m["id"].(string), m["model"].(string), m["created"].(float64)
		} else if m["id"] != id || m["model"] != model || m["created"] != created {
			t.Errorf("chunk %d changes id/model/created: %v", i, m)
		}
		choices := m["choices"].([]any)
		if len(choices) == 0 {
			usageChunks++
			if m["usage"] == nil {
				t.Errorf("chunk with no choices and no usage")
			}
			continue
		}
		if usageChunks > 0 {
			t.Errorf("chunk after the usage chunk")
		}
		for _, c := range choices {
			ch := c.(map[string]any)
			idx := ch["index"].(float64)
			fr, hasFR := ch["finish_reason"]
			if !hasFR {
				t.Errorf("finish_reason missing (must be null until the end)")
			}
			if finished[idx] {
				t.Errorf("choice %v written after its final chunk", idx)
			}
			delta := ch["delta"].(map[string]any)
			_, hasRole := delta["role"]
			if hasRole == roleSeen[idx] {
				t.Errorf("role must be on the first delta of choice %v only: %v", idx, delta)
			}
			roleSeen[idx] = true
			if fr != nil {
				finished[idx] = true
				if len(delta) != 0 {
					t.Errorf("final chunk of choice %v has a non-empty delta %v", idx, delta)
				}
			}
			tcs, _ := delta["tool_calls"].([]any)
			for _, tc := range tcs {
				call := tc.(map[string]any)
				ci, ok := call["index"].(float64)
				if !ok {
					t.Fatalf("tool call fragment without index: %v", call)
				}
				key := [2]float64{idx, ci}
				fn, _ := call["function"].(map[string]any)
				if _, ok := fn["arguments"].(string); !ok {
					t.Errorf("arguments must always be a string: %v", call)
				}
				if !callsSeen[key] {
					if call["id"] == nil || call["type"] != "function" || fn["name"] == nil || fn["arguments"] != "" {
						t.Errorf("first fragment must carry id, type, name and arguments \"\": %v", call)
					}
					callsSeen[key] = true
				} else if call["id"] != nil || fn["name"] != nil {
					t.Errorf("later fragment repeats id or name: %v", call)
				}
			}
		}
	}
	for idx := range roleSeen {
		if !finished[idx] && !failed {
			t.Errorf("choice %v has no final chunk", idx)
		}
	}
	if usageChunks > 1 {
		t.Errorf("%d usage chunks", usageChunks)
	}
	return chunks
}

func TestStreamHeaders(t *testing.T) {
	t.Parallel()
	srv := serve(t, oaicompat.NewHandler(newTestBackend(), oaicompat.WithAnyModel()))
	_, hdr, _ := post(t, srv.URL+"/v1/chat/completions", streamBody(""))
	for k, want := range map[string]string{"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"} {
		if got := hdr.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

func TestStreamUsageChunkOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	srv := serve(t, oaicompat.NewHandler(newTestBackend(), oaicompat.WithAnyModel()))
	for _, tt := range []struct {
		extra string
		want  int
	}{
		{"", 0}, {`,"stream_options":{}`, 0}, {`,"stream_options":null`, 0},
		{`,"stream_options":{"include_usage":false}`, 0}, {`,"stream_options":{"include_usage":true}`, 1},
	} {
		_, _, body := post(t, srv.URL+"/v1/chat/completions", streamBody(tt.extra))
		got := 0
		for _, c := range checkChatStream(t, body) {
			if len(c["choices"].([]any)) == 0 {
				got++
				if u := c["usage"].(map[string]any); u["total_tokens"] != 10.0 {
					t.Errorf("usage %v", u)
				}
			} else if _, has := c["usage"]; has {
				t.Errorf("usage on a content chunk")
			}
		}
		if got != tt.want {
			t.Errorf("%s: %d usage chunks, want %d", tt.extra, got, tt.want)
		}
	}
}

func TestStreamErrorBeforeOutputIsJSON(t *testing.T) {
	t.Parallel()
	srv := serve(t, oaicompat.NewHandler(newTestBackend(), oaicompat.WithAnyModel()))
	status, hdr, body := post(t, srv.URL+"/v1/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":"rate-limit"}]}`)
	if status != 429 || hdr.Get("Content-Type") != "application/json" || hdr.Get("Retry-After") != "2" || hdr.Get("Retry-After-Ms") != "2000" {
		t.Fatalf("status %d headers %v", status, hdr)
	}
	e := decodeJSON(t, body)["error"].(map[string]any)
	if e["code"] != "rate_limit_exceeded" || e["type"] != "requests" {
		t.Errorf("error %v", e)
	}
}

// TestStreamFlushesEachEvent proves each event reaches the client before the
// backend writes the next one.
func TestStreamFlushesEachEvent(t *testing.T) {
	t.Parallel()
	next := make(chan struct{})
	h := oaicompat.NewHandler(oaicompat.ChatFunc(func(ctx context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		for i := 0; i < 3; i++ {
			if err := w.WriteText(fmt.Sprint(i)); err != nil {
				return err
			}
			select {
			case <-next:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}))
	r := openStream(t, serve(t, h))
	for i := 0; i < 3; i++ {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(line, fmt.Sprintf(`"content":"%d"`, i)) {
			t.Fatalf("event %d: %q", i, line)
		}
		_, _ = r.ReadString('\n') // blank line
		next <- struct{}{}        // only now may the backend write the next event
	}
}

func TestStreamKeepAliveWhileBackendIsSilent(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	h := oaicompat.NewHandler(oaicompat.ChatFunc(func(ctx context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		if err := w.WriteText("first"); err != nil {
			return err
		}
		select {
		case <-release:
		case <-ctx.Done():
			return ctx.Err()
		}
		return w.WriteText("second")
	}), oaicompat.WithKeepAlive(5*time.Millisecond))
	r := openStream(t, serve(t, h))
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if line == ": ping\n" {
			break // a keep-alive arrived while the backend was silent
		}
	}
	close(release)
	rest, _ := io.ReadAll(r)
	if !strings.Contains(string(rest), `"content":"second"`) || !strings.HasSuffix(string(rest), "data: [DONE]\n\n") {
		t.Errorf("stream after keep-alive: %q", rest)
	}
}

func TestStreamClientDisconnectCancelsBackend(t *testing.T) {
	t.Parallel()
	b := newTestBackend()
	srv := serve(t, oaicompat.NewHandler(b))
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/v1/chat/completions",
		strings.NewReader(`{"model":"m","stream":true,"messages":[{"role":"user","content":"block"}]}`))
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-b.Blocked // the backend is running, before any output
	cancel()    // the client goes away
	select {
	case <-b.Cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("backend context was not cancelled after the client disconnected")
	}
	<-done
}

func TestStreamLargeDataLine(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 100<<10) // larger than bufio.Scanner's 64 KiB default
	srv := serve(t, oaicompat.NewHandler(scriptBackend{deltas: []scripted{text(0, big)}}))
	_, _, body := post(t, srv.URL+"/v1/chat/completions", streamBody(""))
	chunks := checkChatStream(t, body)
	delta := chunks[0]["choices"].([]any)[0].(map[string]any)["delta"].(map[string]any)
	if delta["content"] != big {
		t.Errorf("large content altered (len %d)", len(delta["content"].(string)))
	}
}

func TestStreamPanicMidStreamIsInBand(t *testing.T) {
	t.Parallel()
	var logged strings.Builder
	h := oaicompat.NewHandler(oaicompat.ChatFunc(func(_ context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		_ = w.WriteText("before")
		panic("boom")
	}), oaicompat.WithLogger(newLogger(&logged)))
	srv := serve(t, h)
	_, _, body := post(t, srv.URL+"/v1/chat/completions", streamBody(""))
	events := sseEvents(t, body)
	if len(events) != 3 || !strings.Contains(events[1], `"type":"server_error"`) || events[2] != "[DONE]" {
		t.Fatalf("events %q", events)
	}
	if !strings.Contains(logged.String(), "boom") {
		t.Errorf("panic not logged: %q", logged.String())
	}
	// The server lives on.
	if status, _, _ := post(t, srv.URL+"/v1/chat/completions", streamBody("")); status != 200 {
		t.Errorf("status after panic %d", status)
	}
}

// openStream starts a streamed chat request and returns its body reader.
func openStream(t *testing.T, srv *httptest.Server) *bufio.Reader {
	t.Helper()
	resp, err := http.Post(srv.URL+"/v1/chat/completions", "application/json", strings.NewReader(streamBody("")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return bufio.NewReader(resp.Body)
}
