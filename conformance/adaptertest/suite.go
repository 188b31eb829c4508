package adaptertest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/conformance/sdktest"
	"github.com/openai/openai-go/v3/option"
)

const (
	apiKey    = "sk-test" // the key sdktest.Client sends
	bodyLimit = 4096
	// genericMessage is what OpenAI, and oaicompat, say for an internal error.
	genericMessage = "The server had an error while processing your request. Sorry about that!"
)

// Run runs the suite against the adapter behind h.
func Run(t *testing.T, h Harness) {
	t.Run("Chat", func(t *testing.T) { testChat(t, h) })
	t.Run("Flush", func(t *testing.T) { testFlush(t, h) })
	t.Run("UnflushableWriter", func(t *testing.T) { testUnflushable(t, h) })
	t.Run("CallInfo", func(t *testing.T) { testCallInfo(t, h) })
	t.Run("RouterErrors", func(t *testing.T) { testRouterErrors(t, h) })
	t.Run("SDKErrors", func(t *testing.T) { testSDKErrors(t, h) })
	t.Run("HostUnchanged", func(t *testing.T) { testHostUnchanged(t, h) })
	t.Run("OurMiddleware", func(t *testing.T) { testOurMiddleware(t, h) })
	t.Run("Messages", func(t *testing.T) { testMessages(t, h) })
}

// mounts are the places the suite mounts the API: on a group behind key
// auth, a body limit and mw, and on the router itself under a custom prefix.
func mounts(b oaicompat.Backend, mw ...func(http.Handler) http.Handler) []Setup {
	return []Setup{
		{Group: "/api", Prefix: "/v1", Backend: b, APIKey: apiKey, BodyLimit: bodyLimit, Middleware: mw},
		{Prefix: "/llm/v1", Backend: b},
	}
}

// start serves the application h builds for s and returns its URL and the
// API's base URL.
func start(t *testing.T, h Harness, s Setup) (root, base string) {
	t.Helper()
	srv := httptest.NewServer(h.App(t, s))
	t.Cleanup(srv.Close)
	return srv.URL, srv.URL + s.Group + s.Prefix
}

// youSaid is the suite's backend: "You said: " and the prompt, in two deltas.
var youSaid = oaicompat.ChatFunc(func(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	if err := w.WriteText("You said: "); err != nil {
		return err
	}
	return w.WriteText(req.LastUserMessage())
})

func testChat(t *testing.T, h Harness) {
	for _, s := range mounts(youSaid) {
		t.Run(s.Group+s.Prefix, func(t *testing.T) {
			_, base := start(t, h, s)
			c := sdktest.Client(base)
			if got := sdktest.Chat(t, c, "hello"); got != "You said: hello" {
				t.Errorf("chat = %q, want %q", got, "You said: hello")
			}
			if got := sdktest.Stream(t, c, "hello"); got != "You said: hello" {
				t.Errorf("stream = %q, want %q", got, "You said: hello")
			}
		})
	}
}

// testFlush proves that each event reaches the client before the backend
// writes the next, through the router's response writer and, on the group,
// through a net/http middleware whose writer can only be unwrapped.
func testFlush(t *testing.T, h Harness) {
	stepper := sdktest.NewStepper("one ", "two ", "three")
	for _, s := range mounts(stepper, hideFlush) {
		t.Run(s.Group+s.Prefix, func(t *testing.T) {
			_, base := start(t, h, s)
			stepper.CheckFlush(t, sdktest.Client(base))
		})
	}
}

// testUnflushable streams through a net/http middleware whose writer can
// neither flush nor be unwrapped: the stream cannot be flushed event by
// event, but it must arrive whole, as it does without the router.
func testUnflushable(t *testing.T, h Harness) {
	_, base := start(t, h, mounts(youSaid, opaque)[0])
	if got := sdktest.Stream(t, sdktest.Client(base), "hello"); got != "You said: hello" {
		t.Errorf("stream = %q, want %q", got, "You said: hello")
	}
}

// testCallInfo checks that a net/http middleware inside the router sees the
// CallInfo the handler fills in.
func testCallInfo(t *testing.T, h Harness) {
	calls := make(chan oaicompat.CallInfo, 1)
	s := mounts(youSaid, recordCalls(calls))[0]
	_, base := start(t, h, s)
	c := sdktest.Client(base)
	for _, stream := range []bool{false, true} {
		if stream {
			sdktest.Stream(t, c, "hi")
		} else {
			sdktest.Chat(t, c, "hi")
		}
		var info oaicompat.CallInfo
		select {
		case info = <-calls:
		case <-t.Context().Done():
			t.Fatal("the middleware saw no call")
		}
		if info.Endpoint != "chat.completions" || info.Model != sdktest.Model || info.Stream != stream ||
			len(info.FinishReasons) != 1 || info.FinishReasons[0] != "stop" || info.Err != nil {
			t.Errorf("stream=%v: CallInfo %+v, want chat.completions of %s finished by stop", stream, info, sdktest.Model)
		}
	}
}

// testSDKErrors checks what the openai-go client makes of errors raised by
// router middleware, and that the server keeps serving after a panic.
func testSDKErrors(t *testing.T, h Harness) {
	_, base := start(t, h, mounts(youSaid, panicOn("X-Panic"))[0])
	ctx := t.Context()
	tests := []struct {
		name       string
		params     string
		opts       []option.RequestOption
		status     int
		typ, code  string
		wantInText string
	}{
		{"wrong key", "hi", []option.RequestOption{option.WithAPIKey("sk-wrong")},
			http.StatusUnauthorized, oaicompat.TypeInvalidRequest, "invalid_api_key", ""},
		{"body limit", strings.Repeat("long ", bodyLimit/5+1), nil,
			http.StatusRequestEntityTooLarge, oaicompat.TypeInvalidRequest, "request_too_large", ""},
		{"panic in router middleware", "hi", []option.RequestOption{option.WithHeader("X-Panic", "1")},
			http.StatusInternalServerError, oaicompat.TypeServerError, "", genericMessage},
	}
	c := sdktest.Client(base)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Chat.Completions.New(ctx, sdktest.Params(tt.params), tt.opts...)
			e := sdktest.APIError(t, err, tt.status)
			if e.Type != tt.typ || e.Code != tt.code || !strings.Contains(e.Message, tt.wantInText) {
				t.Errorf("got type %q code %q message %q, want type %q code %q message containing %q",
					e.Type, e.Code, e.Message, tt.typ, tt.code, tt.wantInText)
			}
			if got := sdktest.Chat(t, c, "still there?"); got != "You said: still there?" {
				t.Errorf("after the error, chat = %q", got)
			}
		})
	}
}
