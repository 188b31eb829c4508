package oaicompat

import (
	"net/http"
	"testing"

	"github.com/oaicompat/oaicompat/responses"
)

// BenchmarkResponsesTextDelta measures one response.output_text.delta event:
// delta in, framed event written.
func BenchmarkResponsesTextDelta(b *testing.B) {
	es := newEventStream(&discardFlusher{h: http.Header{}}, 0, 0)
	defer es.close()
	s := newResponseSink(es, responseSkeleton(&responses.Request{Model: "m"}, "resp_1", 1, false), randomID)
	d := Delta{Content: "hello "}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.delta(0, d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompletionsTextDelta measures one legacy text_completion chunk.
func BenchmarkCompletionsTextDelta(b *testing.B) {
	es := newEventStream(&discardFlusher{h: http.Header{}}, 0, 0)
	defer es.close()
	c := newCompletionStream(es, "cmpl-1", 1, "m", 1, []string{""}, false)
	d := Delta{Content: "hello "}
	b.ReportAllocs()
	for b.Loop() {
		if err := c.delta(0, d); err != nil {
			b.Fatal(err)
		}
	}
}
