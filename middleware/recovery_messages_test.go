package middleware_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat/middleware"
)

// A panic in the middle of a Messages stream ends it with the Anthropic
// in-band error event, never OpenAI's [DONE].
func TestRecoveryMessagesStream(t *testing.T) {
	t.Parallel()
	h := middleware.Recovery(slog.New(slog.DiscardHandler))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("request-id", "req_7") // as the Handler's Messages routes set it
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "event: message_start\ndata: {\"type\":\"message_start\"}\n\n")
		panic("after the first event")
	}))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	res, err := http.Post(srv.URL+"/v1/messages", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	want := "event: message_start\ndata: {\"type\":\"message_start\"}\n\n" +
		"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"The server had an error while processing your request. Sorry about that!\"},\"request_id\":\"req_7\"}\n\n"
	if string(body) != want {
		t.Errorf("stream\n got %q\nwant %q", body, want)
	}
}
