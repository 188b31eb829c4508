package oaitest_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/oaicompat/oaicompat/oaitest"
)

// flushRecorder records every Write as a separate piece and counts flushes.
type flushRecorder struct {
	*httptest.ResponseRecorder
	pieces  [][]byte
	flushes int
}

func (f *flushRecorder) Write(b []byte) (int, error) {
	f.pieces = append(f.pieces, append([]byte(nil), b...))
	return f.ResponseRecorder.Write(b)
}

func (f *flushRecorder) Flush() { f.flushes++; f.ResponseRecorder.Flush() }

func serveStream(t *testing.T, reply *oaitest.Reply) *flushRecorder {
	t.Helper()
	mock := oaitest.New(oaitest.WithClock(oaitest.NewAutoClock(epoch)))
	mock.On(nil).Reply(reply)
	rec := &flushRecorder{ResponseRecorder: httptest.NewRecorder()}
	req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions",
		strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}`))
	mock.ServeHTTP(rec, req)
	if f := mock.Failures(); len(f) != 0 {
		t.Fatalf("failures %q", f)
	}
	return rec
}

// TestSplitWrites: the split stream has the same bytes as the plain one,
// in more writes, each flushed, with cuts inside lines and inside UTF-8
// sequences.
func TestSplitWrites(t *testing.T) {
	t.Parallel()
	plain := serveStream(t, oaitest.Text(story))
	split := serveStream(t, oaitest.Text(story).SplitWrites(42))
	if !bytes.Equal(plain.Body.Bytes(), split.Body.Bytes()) {
		t.Fatalf("split stream differs:\n%s\n%s", plain.Body, split.Body)
	}
	if len(split.pieces) <= 2*len(plain.pieces) {
		t.Errorf("%d pieces for %d events", len(split.pieces), len(plain.pieces))
	}
	if split.flushes < len(split.pieces) {
		t.Errorf("%d flushes for %d pieces", split.flushes, len(split.pieces))
	}
	midLine, midRune := 0, 0
	for _, p := range split.pieces {
		if !bytes.HasSuffix(p, []byte("\n\n")) {
			midLine++
		}
		if !utf8.Valid(p) {
			midRune++
		}
	}
	if midLine == 0 || midRune == 0 {
		t.Errorf("%d pieces end mid-event, %d cut a UTF-8 sequence; want some of each", midLine, midRune)
	}
	again := serveStream(t, oaitest.Text(story).SplitWrites(42))
	if len(again.pieces) != len(split.pieces) {
		t.Errorf("the same seed split differently")
	}
}

func TestSplitWritesOption(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t, oaitest.WithSplitWrites(9), oaitest.WithClock(oaitest.NewAutoClock(time.Unix(0, 0))))
	mock.On(nil).Reply(oaitest.Text(story))
	text, _, err := streamText(t, newOpenAI(mock), t.Context())
	if err != nil || text != story {
		t.Errorf("got %q, %v", text, err)
	}
}
