package middleware_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
)

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// panicky panics in the way its path says, and serves normally on /v1/.
func panicky() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/panic/before", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Partial", "yes")
		panic("boom before output")
	})
	mux.HandleFunc("/broken/v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		// a stream that breaks after its first event
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"one"},"finish_reason":null}]}`+"\n\n")
		http.NewResponseController(w).Flush()
		panic("boom mid-stream")
	})
	mux.HandleFunc("/panic/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"partial":`)
		http.NewResponseController(w).Flush()
		panic("boom mid-json")
	})
	mux.HandleFunc("/panic/abort", func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) })
	mux.Handle("/v1/", oaicompat.NewHandler(hello))
	return mux
}

func TestRecoveryBeforeOutputKeepsServing(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	srv := serve(t, middleware.Chain(middleware.RequestID(), middleware.Recovery(slog.New(slog.NewJSONHandler(&logs, nil))))(panicky()))

	resp, err := srv.Client().Post(srv.URL+"/panic/before", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := `{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}` + "\n"
	if resp.StatusCode != 500 || string(body) != want || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("got %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	id := resp.Header.Get("X-Request-Id")
	if l := logs.String(); !strings.Contains(l, `"panic":"boom before output"`) || !strings.Contains(l, `"stack":"goroutine`) ||
		!strings.Contains(l, `"request_id":"`+id+`"`) {
		t.Fatalf("log lacks the panic, its stack or the request id %s: %s", id, l)
	}

	// the server keeps serving, through the official client
	got, err := client(srv, aliceKey).Chat.Completions.New(testContext(t), chatParams("still there?"))
	if err != nil || got.Choices[0].Message.Content != "Hello!" {
		t.Fatalf("after the panic: %v, %v", got, err)
	}
}

func TestRecoveryOpenAIGoSeesServerError(t *testing.T) {
	t.Parallel()
	boom := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
	srv := serve(t, middleware.Recovery(slog.New(slog.NewTextHandler(io.Discard, nil)))(boom))
	_, err := client(srv, aliceKey).Chat.Completions.New(testContext(t), chatParams("hi"))
	if e := apiError(t, err); e.StatusCode != 500 || e.Type != "server_error" || e.JSON.Code.Raw() != "null" {
		t.Fatalf("got %d %s %s", e.StatusCode, e.Type, e.JSON.Code.Raw())
	}
}

func TestRecoveryMidStream(t *testing.T) {
	t.Parallel()
	srv := serve(t, middleware.Recovery(slog.New(slog.NewTextHandler(io.Discard, nil)))(panicky()))

	c := client(srv, aliceKey, option.WithBaseURL(srv.URL+"/broken/v1/"))
	stream := c.Chat.Completions.NewStreaming(testContext(t), chatParams("hi"))
	var text string
	for stream.Next() {
		text += stream.Current().Choices[0].Delta.Content
	}
	var se *ssestream.StreamError
	if text != "one" || !errors.As(stream.Err(), &se) || !strings.Contains(se.Message, `"type":"server_error"`) {
		t.Fatalf("streamed %q, ended with %v; want \"one\" then an in-band server_error", text, stream.Err())
	}

	// the raw stream: the event, the in-band error, [DONE]
	resp, err := srv.Client().Post(srv.URL+"/broken/v1/chat/completions", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	wantTail := `data: {"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}` + "\n\ndata: [DONE]\n\n"
	if resp.StatusCode != 200 || !strings.HasSuffix(string(body), wantTail) || strings.Count(string(body), "data: ") != 3 {
		t.Fatalf("got %d:\n%s", resp.StatusCode, body)
	}
}

func TestRecoveryAbortsOtherResponses(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	srv := serve(t, middleware.Recovery(slog.New(slog.NewJSONHandler(&logs, nil)))(panicky()))
	tests := []struct {
		path    string
		logged  bool
		logText string
	}{
		{"/panic/json", true, "boom mid-json"},
		{"/panic/abort", false, ""},
	}
	for _, tt := range tests {
		resp, err := srv.Client().Get(srv.URL + tt.path)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if err == nil {
			t.Fatalf("%s: the response looked complete; want a broken connection", tt.path)
		}
		if got := strings.Contains(logs.String(), tt.logText) && tt.logText != ""; got != tt.logged {
			t.Fatalf("%s: logged = %v, want %v: %s", tt.path, got, tt.logged, logs.String())
		}
	}
	if strings.Count(logs.String(), "panic recovered") != 1 {
		t.Fatalf("want exactly one logged panic (ErrAbortHandler is not one): %s", logs.String())
	}
}
