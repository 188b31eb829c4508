package oaicompat_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/anthropic"
)

// A chat-only Backend answers the Anthropic Messages API too: the handler
// translates the request and shapes the answer as a Message; a reasoning
// model's reasoning becomes a thinking block.
func Example_messages() {
	backend := oaicompat.ChatFunc(func(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		if err := w.WriteReasoning("A greeting."); err != nil {
			return err
		}
		return w.WriteText("Hello, " + req.LastUserMessage() + "!")
	})
	h := oaicompat.NewHandler(backend, oaicompat.WithIDGenerator(func(prefix string) string { return prefix + "1" }))
	srv := httptest.NewServer(h)
	defer srv.Close()

	res, err := http.Post(srv.URL+"/v1/messages", "application/json",
		strings.NewReader(`{"model":"any","max_tokens":100,"messages":[{"role":"user","content":"Claude"}]}`))
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Println(res.Header.Get("request-id"))
	fmt.Println(string(body))
	// Output:
	// req_1
	// {"id":"msg_1","type":"message","role":"assistant","model":"any","content":[{"type":"thinking","thinking":"A greeting.","signature":""},{"type":"text","text":"Hello, Claude!"}],"stop_reason":"end_turn","stop_sequence":null,"stop_details":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":0,"service_tier":"standard"}}
}

// upstream is a Backend that speaks Anthropic Messages itself.
type upstream struct{ oaicompat.ChatFunc }

// CreateMessage writes the events of the answer; the handler streams them,
// or builds the Message from them for a request that does not stream.
func (upstream) CreateMessage(_ context.Context, req *anthropic.Request, w *oaicompat.EventWriter) error {
	stop := anthropic.StopEndTurn
	for _, ev := range []any{
		anthropic.MessageStartEvent{Type: anthropic.EventMessageStart, Message: anthropic.Message{ID: "msg_up", Type: "message",
			Role: anthropic.RoleAssistant, Model: req.Model, Content: []anthropic.ContentBlock{}}},
		anthropic.ContentBlockStartEvent{Type: anthropic.EventContentBlockStart, Index: 0, ContentBlock: anthropic.ContentBlock{Type: anthropic.BlockText}},
		anthropic.ContentBlockDeltaEvent{Type: anthropic.EventContentBlockDelta, Index: 0, Delta: anthropic.BlockDelta{Type: anthropic.DeltaText, Text: "native"}},
		anthropic.ContentBlockStopEvent{Type: anthropic.EventContentBlockStop, Index: 0},
		anthropic.MessageDeltaEvent{Type: anthropic.EventMessageDelta, Delta: anthropic.MessageDelta{StopReason: &stop},
			Usage: anthropic.Usage{InputTokens: 3, OutputTokens: 1}},
		anthropic.MessageStopEvent{Type: anthropic.EventMessageStop},
	} {
		if err := w.WriteEvent(ev); err != nil {
			return err
		}
	}
	return nil
}

// A MessageCreator answers POST /v1/messages itself, skipping the
// translation onto Chat.
func ExampleMessageCreator() {
	srv := httptest.NewServer(oaicompat.NewHandler(upstream{}))
	defer srv.Close()
	res, err := http.Post(srv.URL+"/v1/messages", "application/json",
		strings.NewReader(`{"model":"claude","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Println(string(body))
	// Output:
	// {"id":"msg_up","type":"message","role":"assistant","model":"claude","content":[{"type":"text","text":"native"}],"stop_reason":"end_turn","stop_sequence":null,"stop_details":null,"usage":{"input_tokens":3,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}
}

// counter counts tokens for POST /v1/messages/count_tokens.
type counter struct{ oaicompat.ChatFunc }

func (counter) CountTokens(_ context.Context, req *oaicompat.ChatRequest) (int, error) {
	n := 0
	for _, m := range req.Messages {
		n += len(strings.Fields(m.Content.Text()))
	}
	return n, nil
}

// A TokenCounter answers count_tokens; without one the route answers 404.
func ExampleTokenCounter() {
	srv := httptest.NewServer(oaicompat.NewHandler(counter{}))
	defer srv.Close()
	res, err := http.Post(srv.URL+"/v1/messages/count_tokens", "application/json",
		strings.NewReader(`{"model":"any","system":"be brief","messages":[{"role":"user","content":"how are you"}]}`))
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Println(string(body))
	// Output:
	// {"input_tokens":5}
}

// Middleware refuses a request in the envelope its client expects.
func ExampleWriteErrorFor() {
	refuse := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		oaicompat.WriteErrorFor(w, r, &oaicompat.Error{Status: http.StatusForbidden, Type: oaicompat.TypeForbidden, Message: "Not today."})
	})
	for _, path := range []string{"/v1/chat/completions", "/v1/messages"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", path, nil)
		req.Header.Set("X-Request-Id", "req_42")
		refuse(rec, req)
		fmt.Print(rec.Code, " ", rec.Body.String())
	}
	// Output:
	// 403 {"error":{"message":"Not today.","type":"request_forbidden","param":null,"code":null}}
	// 403 {"type":"error","error":{"type":"permission_error","message":"Not today."},"request_id":"req_42"}
}
