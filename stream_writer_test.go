package oaicompat_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat"
)

// hiddenFlush hides the Flush of the writer it wraps and has no Unwrap, as
// older middleware wrappers do: http.ResponseController reports
// http.ErrNotSupported (wrapped).
type hiddenFlush struct{ http.ResponseWriter }

// panickyFlush panics on Flush, as echo's Response does when the writer
// under it cannot flush.
type panickyFlush struct{ http.ResponseWriter }

func (panickyFlush) Flush() { panic("flushing is not supported") }

var twoWords = oaicompat.ChatFunc(func(_ context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	if err := w.WriteText("one "); err != nil {
		return err
	}
	return w.WriteText("two")
})

// TestStreamUnflushableWriter checks that a stream through a writer that
// cannot flush still arrives whole, unflushed, as net/http intends.
func TestStreamUnflushableWriter(t *testing.T) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(streamBody("")))
	oaicompat.NewHandler(twoWords).ServeHTTP(hiddenFlush{rec}, req)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || strings.Count(body, `"content":`) != 2 || !strings.HasSuffix(body, "data: [DONE]\n\n") {
		t.Fatalf("got %d:\n%s\nwant both words and [DONE]", rec.Code, body)
	}
}

// TestStreamPanickingFlush checks that a writer panicking in Flush does not
// leave the handler stuck on its stream's lock: ServeHTTP returns.
func TestStreamPanickingFlush(t *testing.T) {
	h := oaicompat.NewHandler(twoWords, oaicompat.WithLogger(slog.New(slog.DiscardHandler)))
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(streamBody("")))
		h.ServeHTTP(panickyFlush{httptest.NewRecorder()}, req)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second): // a generous bound for a hang, not a timing assertion
		t.Fatal("ServeHTTP did not return after the writer panicked")
	}
}
