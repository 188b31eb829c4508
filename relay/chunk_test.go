package relay

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
)

// recordSink records deltas as text and checks what a ChatWriter checks:
// tool calls start at the next index with a name, fragments name a started
// call, nothing follows a finish reason.
type recordSink struct {
	n        int
	lines    []string
	calls    []int
	finished []bool
	usages   []oaicompat.Usage
}

func newRecordSink(n int) *recordSink {
	return &recordSink{n: n, calls: make([]int, n), finished: make([]bool, n)}
}

func (s *recordSink) delta(i int, d oaicompat.Delta) error {
	if i < 0 || i >= s.n {
		return fmt.Errorf("choice %d of %d", i, s.n)
	}
	if s.finished[i] {
		return oaicompat.ErrChoiceFinished
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d:", i)
	if d.Content != "" {
		fmt.Fprintf(&b, " content=%q", d.Content)
	}
	if d.Refusal != "" {
		fmt.Fprintf(&b, " refusal=%q", d.Refusal)
	}
	if d.Reasoning != "" {
		fmt.Fprintf(&b, " reasoning=%q", d.Reasoning)
	}
	for _, k := range slices.Sorted(maps.Keys(d.Extra)) {
		fmt.Fprintf(&b, " %s=%s", k, d.Extra[k])
	}
	if tc := d.ToolCall; tc != nil {
		switch {
		case tc.Index == s.calls[i] && tc.Name != "":
			s.calls[i]++
		case tc.Index < 0 || tc.Index >= s.calls[i]:
			return fmt.Errorf("tool call index %d with %d calls", tc.Index, s.calls[i])
		}
		fmt.Fprintf(&b, " call[%d] id=%s name=%s args=%q", tc.Index, tc.ID, tc.Name, tc.Arguments)
	}
	if len(d.Logprobs) > 0 {
		fmt.Fprintf(&b, " logprobs=%d", len(d.Logprobs))
	}
	if d.FinishReason != "" {
		s.finished[i] = true
		fmt.Fprintf(&b, " finish=%s", d.FinishReason)
	}
	s.lines = append(s.lines, b.String())
	return nil
}

func (s *recordSink) usage(u oaicompat.Usage) { s.usages = append(s.usages, u) }

func TestTranslator(t *testing.T) {
	for _, tc := range []struct {
		name   string
		n      int
		events []string
		want   string // deltas, then "| end: error"
	}{
		{"text", 1, []string{
			`{"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`,
			`{"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}`,
			`{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`,
			`{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}`,
			`[DONE]`,
		}, `0: content="Hi" | 0: finish=stop | usage 3/1 | end: <nil>`},
		{"tool calls by index", 1, []string{
			`{"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"f","arguments":""}}]}}]}`,
			`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":"}}]}}]}`,
			`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"c2","function":{"name":"g","arguments":"{}"}}]}}]}`,
			`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]},"finish_reason":"tool_calls"}]}`,
			`[DONE]`,
		}, `0: call[0] id=c1 name=f args="" | 0: call[0] id= name= args="{\"a\":" | 0: call[1] id=c2 name=g args="{}" | 0: call[0] id= name= args="1}" finish=tool_calls | end: <nil>`},
		{"tool calls told apart by id (all index 0)", 1, []string{
			`{"choices":[{"delta":{"tool_calls":[{"id":"a","function":{"name":"f","arguments":"{}"}},{"id":"b","function":{"name":"g","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}`,
		}, `0: call[0] id=a name=f args="{}" | 0: call[1] id=b name=g args="{}" finish=tool_calls | end: <nil>`},
		{"n=2 interleaved", 2, []string{
			`{"choices":[{"index":1,"delta":{"content":"B"}},{"index":0,"delta":{"content":"A"}}]}`,
			`{"choices":[{"index":0,"delta":{},"finish_reason":"stop"},{"index":1,"delta":{},"finish_reason":"length"}]}`,
		}, `1: content="B" | 0: content="A" | 0: finish=stop | 1: finish=length | end: <nil>`},
		{"content and finish together, logprobs", 1, []string{
			`{"choices":[{"index":0,"delta":{"content":"x"},"logprobs":{"content":[{"token":"x","logprob":-0.1,"bytes":[120],"top_logprobs":[]}]},"finish_reason":"stop"}]}`,
		}, `0: content="x" logprobs=1 finish=stop | end: <nil>`},
		{"repeated finish ignored", 1, []string{
			`{"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":"stop"}]}`,
			`{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`,
		}, `0: content="x" finish=stop | usage 1/1 | end: <nil>`},
		{"no [DONE], choice open", 1, []string{`{"choices":[{"index":0,"delta":{"content":"x"}}]}`}, `0: content="x" | end: relay: upstream stream ended before it was complete`},
		{"events after [DONE] ignored", 1, []string{`[DONE]`, `{"choices":[{"index":0,"delta":{"content":"late"}}]}`}, `end: <nil>`},
		{"reasoning and vendor fields", 1, []string{
			`{"choices":[{"index":0,"delta":{"role":"assistant","reasoning_content":"think","images":[{"type":"image_url"}],"audio":null}}]}`,
			`{"choices":[{"index":0,"delta":{"reasoning":"more","citations":["u"]}}]}`,
			`{"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":"stop"}]}`,
		}, `0: reasoning="think" images=[{"type":"image_url"}] | 0: reasoning="more" citations=["u"] | 0: content="x" finish=stop | end: <nil>`},
	} {
		sink := newRecordSink(tc.n)
		tr := newTranslator(sink, tc.n)
		var got []string
		for _, e := range tc.events {
			if err := tr.event([]byte(e)); err != nil {
				got = append(got, "event: "+err.Error())
			}
		}
		endErr := tr.end()
		got = append(got, sink.lines...)
		for _, u := range sink.usages {
			got = append(got, fmt.Sprintf("usage %d/%d", u.PromptTokens, u.CompletionTokens))
		}
		got = append(got, fmt.Sprintf("end: %v", endErr))
		if s := strings.Join(got, " | "); s != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, s, tc.want)
		}
	}
}

func TestTranslatorErrors(t *testing.T) {
	for _, tc := range []struct {
		name, event string
		malformed   bool
		inBand      string
	}{
		{"not JSON", `{"choices":[`, true, ""},
		{"choice out of range", `{"choices":[{"index":3,"delta":{"content":"x"}}]}`, true, ""},
		{"fragment of no call", `{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]}}]}`, true, ""},
		{"in-band error", `{"error":{"message":"overloaded","type":"overloaded_error"}}`, false, "overloaded"},
	} {
		tr := newTranslator(newRecordSink(1), 1)
		err := tr.event([]byte(tc.event))
		var ib *inBand
		switch {
		case tc.malformed && !errors.Is(err, errMalformed):
			t.Errorf("%s: %v, want malformed", tc.name, err)
		case tc.inBand != "" && (!errors.As(err, &ib) || ib.err.Message != tc.inBand):
			t.Errorf("%s: %v, want in-band %q", tc.name, err, tc.inBand)
		}
	}
	tr := newTranslator(newRecordSink(1), 1)
	_ = tr.event([]byte(`{"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":"stop"}]}`))
	if err := tr.event([]byte(`{"choices":[{"index":0,"delta":{"content":"more"}}]}`)); !errors.Is(err, errMalformed) {
		t.Errorf("content after finish: %v", err)
	}
}
