package oaicompat_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// stripFence is a mechanical repair: it removes a Markdown code fence.
func stripFence(_ context.Context, _ *oaicompat.ChatRequest, v *oaicompat.Violation) (string, error) {
	s := strings.TrimSpace(v.Output)
	s = strings.TrimPrefix(s, "```json")
	return strings.TrimSpace(strings.TrimSuffix(s, "```")), nil
}

func TestOutputRepair(t *testing.T) {
	fenced := writeText("```json\n" + validArgs + "\n```")
	cases := []struct {
		name   string
		c      guardCase
		repair oaicompat.RepairFunc
		atEnd  bool
		inBand bool   // streamed, the error comes in-band (status 0)
		status int    // 200 when the repair wins
		msg    string // prefix of the error message otherwise
		kind   string // the violation the hook must see
	}{
		{name: "content fixed", c: guardCase{params: strictFormat, write: fenced}, repair: stripFence, status: 200, kind: oaicompat.ViolationContent},
		{name: "arguments fixed", c: guardCase{params: withTools, write: writeCall("convert", `{"value":3,"from":"km","to":"miles"}`)},
			repair: func(context.Context, *oaicompat.ChatRequest, *oaicompat.Violation) (string, error) {
				return validArgs, nil
			},
			status: 200, kind: oaicompat.ViolationArguments},
		{name: "no fix", c: guardCase{params: strictFormat, write: fenced},
			repair: func(context.Context, *oaicompat.ChatRequest, *oaicompat.Violation) (string, error) { return "", nil },
			status: 500, msg: "The model produced invalid content: the content of choice 0 is not valid JSON", kind: oaicompat.ViolationContent},
		{name: "fix still invalid", c: guardCase{params: strictFormat, write: fenced},
			repair: func(context.Context, *oaicompat.ChatRequest, *oaicompat.Violation) (string, error) {
				return `{"value":3}`, nil
			},
			status: 500, msg: "The model produced invalid content: the content of choice 0 does not match the json_schema 'conversion': at '': missing properties 'from', 'to'", kind: oaicompat.ViolationContent},
		{name: "own error", c: guardCase{params: toolChoice("none"), write: writeCall("lookup", "{}")},
			repair: func(_ context.Context, _ *oaicompat.ChatRequest, v *oaicompat.Violation) (string, error) {
				return "", &oaicompat.Error{Status: 422, Type: "invalid_request_error", Code: "unsupported_tool_choice", Param: "tool_choice", Message: "This backend cannot honour tool_choice 'none': " + v.Reason}
			},
			status: 422, msg: "This backend cannot honour tool_choice 'none': choice 0 calls 'lookup' but tool_choice is 'none'", kind: oaicompat.ViolationToolChoice},
		{name: "choice-level violations cannot be replaced", c: guardCase{params: serial, write: writeAll(writeCall("lookup", "{}"), writeCall("lookup", "{}"))},
			repair: func(context.Context, *oaicompat.ChatRequest, *oaicompat.Violation) (string, error) { return "{}", nil },
			status: 500, inBand: true, msg: "The model produced invalid content: choice 0 makes more than one tool call", kind: oaicompat.ViolationParallelCalls},
		{name: "streamed output cannot be replaced", c: guardCase{params: strictFormat, write: fenced}, repair: stripFence, atEnd: true, inBand: true,
			msg: "The model produced invalid content: the content of choice 0 is not valid JSON", kind: oaicompat.ViolationContent},
	}
	for _, tc := range cases {
		for _, stream := range []bool{false, true} {
			if tc.atEnd && !stream {
				continue
			}
			name := tc.name + map[bool]string{false: " collect", true: " stream"}[stream]
			t.Run(name, func(t *testing.T) {
				var seen []string
				var mu sync.Mutex
				repair := func(ctx context.Context, req *oaicompat.ChatRequest, v *oaicompat.Violation) (string, error) {
					mu.Lock()
					seen = append(seen, v.Kind)
					mu.Unlock()
					return tc.repair(ctx, req, v)
				}
				opts := []oaicompat.Option{oaicompat.WithOutputRepair(repair)}
				if tc.atEnd {
					opts = append(opts, oaicompat.WithStreamCheckAtEnd())
				}
				backend := oaicompat.ChatFunc(func(_ context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error { return tc.c.write(w) })
				got, err := runGuardCase(t, officialClient(serve(t, oaicompat.NewHandler(backend, opts...))), tc.c, stream)
				if len(seen) != 1 || seen[0] != tc.kind {
					t.Errorf("hook saw %q, want one %q", seen, tc.kind)
				}
				if tc.status == 200 {
					if err != nil {
						t.Fatalf("want the repaired answer, got %v", err)
					}
					if s := sent(got); !strings.Contains(s, validArgs) || strings.Contains(s, "```") {
						t.Errorf("client received %q, want the repaired output only", s)
					}
					return
				}
				msg, status := errorMessage(t, err)
				if want := tc.status; status != want && !(stream && tc.inBand && status == 0) {
					t.Errorf("status %d, want %d", status, want)
				}
				if !strings.HasPrefix(msg, tc.msg) {
					t.Errorf("message:\n got %q\nwant %q...", msg, tc.msg)
				}
			})
		}
	}
}

// errorMessage returns the message and status (0 in-band) of an API error.
func errorMessage(t *testing.T, err error) (string, int) {
	t.Helper()
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		return apiErr.Message, apiErr.StatusCode
	}
	return modelError(t, err), 0
}

// WithoutOutputChecks sends what the backend wrote, for backends that
// enforce the rules themselves.
func TestWithoutOutputChecks(t *testing.T) {
	for _, c := range []guardCase{
		{name: "prose for json_object", params: jsonObjectFormat, write: writeText("Sure!"), check: wantContent("Sure!", "stop")},
		{name: "tool not offered", params: withTools, write: writeCall("delete_all", "{}"), check: wantCalls("delete_all {}")},
	} {
		for _, stream := range []bool{false, true} {
			backend := oaicompat.ChatFunc(func(_ context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error { return c.write(w) })
			got, err := runGuardCase(t, officialClient(serve(t, oaicompat.NewHandler(backend, oaicompat.WithoutOutputChecks()))), c, stream)
			if err != nil {
				t.Fatalf("%s (stream %v): %v", c.name, stream, err)
			}
			c.check(t, got)
		}
	}
}

// A violation is a 500 that the SDKs retry, as OpenAI's model_error is; a
// backend that knows a retry is pointless says so from the repair hook.
func TestViolationRetrySemantics(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  []oaicompat.Option
		calls int32
	}{
		{"retried by default", nil, 2},
		{"x-should-retry false from the hook", []oaicompat.Option{oaicompat.WithOutputRepair(
			func(_ context.Context, _ *oaicompat.ChatRequest, v *oaicompat.Violation) (string, error) {
				e := &oaicompat.Error{Status: 500, Type: oaicompat.TypeModelError, Message: "Deterministic backend: " + v.Reason}
				e.Header = http.Header{"X-Should-Retry": {"false"}}
				return "", e
			})}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			backend := oaicompat.ChatFunc(func(_ context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
				calls.Add(1)
				return w.WriteText("not json")
			})
			client := officialClient(serve(t, oaicompat.NewHandler(backend, tc.opts...)))
			_, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: "m",
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("go")}, ResponseFormat: jsonObjectParam()},
				option.WithMaxRetries(1))
			if err == nil || calls.Load() != tc.calls {
				t.Errorf("err %v after %d backend calls, want an error after %d", err, calls.Load(), tc.calls)
			}
		})
	}
}

func jsonObjectParam() openai.ChatCompletionNewParamsResponseFormatUnion {
	var p openai.ChatCompletionNewParams
	jsonObjectFormat(&p)
	return p.ResponseFormat
}

// Buffered streams hold only what a rule has yet to judge: free text and
// calls that passed their checks go out at once. The backend waits for the
// client to have received each part before writing the next, so a part
// held too long would stall the test (until its deadline) instead of
// passing.
func TestBufferedStreamReleasesEarly(t *testing.T) {
	steps := []struct {
		write func(*oaicompat.ChatWriter) error
		see   func(openai.ChatCompletionChunk) bool
	}{
		{writeText("Let me check. "), func(c openai.ChatCompletionChunk) bool { return c.Choices[0].Delta.Content == "Let me check. " }},
		// A loose call goes out when it starts.
		{func(w *oaicompat.ChatWriter) error { _, err := w.StartToolCall("call_a", "lookup"); return err },
			func(c openai.ChatCompletionChunk) bool {
				tc := c.Choices[0].Delta.ToolCalls
				return len(tc) == 1 && tc[0].Function.Name == "lookup"
			}},
		{func(w *oaicompat.ChatWriter) error { return w.WriteToolCallArguments(0, `{"id":"9"}`) },
			func(c openai.ChatCompletionChunk) bool {
				tc := c.Choices[0].Delta.ToolCalls
				return len(tc) == 1 && tc[0].Function.Arguments == `{"id":"9"}`
			}},
		// A strict call goes out once complete: when the next call starts.
		{writeAll(writeCall("convert", validArgs), writeCall("lookup", `{"id":"10"}`)),
			func(c openai.ChatCompletionChunk) bool {
				tc := c.Choices[0].Delta.ToolCalls
				return len(tc) == 1 && tc[0].Index == 1 && tc[0].Function.Name == "convert"
			}},
	}
	seen := make(chan struct{})
	backend := oaicompat.ChatFunc(func(ctx context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		for _, s := range steps {
			if err := s.write(w); err != nil {
				return err
			}
			select {
			case <-seen:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	client := officialClient(serve(t, oaicompat.NewHandler(backend)))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p := openai.ChatCompletionNewParams{Model: "m", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("go")}}
	withTools(&p)
	s := client.Chat.Completions.NewStreaming(ctx, p)
	defer s.Close()
	step := 0
	for s.Next() && step < len(steps) {
		if c := s.Current(); len(c.Choices) > 0 && steps[step].see(c) {
			step++
			seen <- struct{}{}
		}
	}
	if step != len(steps) {
		t.Fatalf("saw %d of %d parts as they were written (err %v)", step, len(steps), s.Err())
	}
}

// Under a JSON response_format the content is held until the choice ends
// and then sent whole, in one chunk, after it passed.
func TestBufferedStreamSendsCheckedContentWhole(t *testing.T) {
	c := guardCase{params: strictFormat, write: writeAll(writeText(`{"value":3,`), writeText(`"from":"km",`), writeText(`"to":"mi"}`))}
	backend := oaicompat.ChatFunc(func(_ context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error { return c.write(w) })
	client := officialClient(serve(t, oaicompat.NewHandler(backend)))
	p := openai.ChatCompletionNewParams{Model: "m", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("go")}}
	c.params(&p)
	s := client.Chat.Completions.NewStreaming(context.Background(), p)
	defer s.Close()
	var contents []string
	for s.Next() {
		if ch := s.Current(); len(ch.Choices) > 0 && ch.Choices[0].Delta.Content != "" {
			contents = append(contents, ch.Choices[0].Delta.Content)
		}
	}
	if s.Err() != nil || len(contents) != 1 || contents[0] != validArgs {
		t.Fatalf("content chunks %q (err %v), want one chunk %q", contents, s.Err(), validArgs)
	}
}
