package oaicompat_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/oaicompat/oaicompat"
)

// dialectBackend is a chat-only Backend for the dialect tests:
//
//   - with tools and a user turn last: calls the first tool with {"city":"Paris"};
//   - after a tool result: "The weather: <result>";
//   - with a json_schema response_format: {"answer":"4"};
//   - a user message "refuse": a refusal;
//   - otherwise it echoes the last user message word by word, stopping
//     with "length" at the token limit (one word = one token).
//
// It records the last ChatRequest it saw.
type dialectBackend struct {
	mu   sync.Mutex
	last *oaicompat.ChatRequest
	reqs int
}

func (s *dialectBackend) Chat(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	s.mu.Lock()
	s.last, s.reqs = req, s.reqs+1
	s.mu.Unlock()
	last := req.Messages[len(req.Messages)-1]
	w.SetUsage(oaicompat.Usage{PromptTokens: len(req.Messages) * 10, CompletionTokens: 5})
	switch {
	case last.Role == oaicompat.RoleTool:
		return w.WriteText("The weather: " + last.Content.Text())
	case len(req.Tools) > 0 && last.Role == oaicompat.RoleUser && req.Tools[0].Function != nil:
		return callParis(w, req.Tools[0].Function.Name)
	case req.ResponseFormat != nil && req.ResponseFormat.Type == "json_schema":
		return w.WriteText(`{"answer":"4"}`)
	case req.LastUserMessage() == "refuse":
		return w.WriteRefusal("I can't help with that.")
	}
	words := strings.SplitAfter("You said: "+req.LastUserMessage(), " ")
	limit, limited := req.TokenLimit()
	for i, word := range words {
		if limited && i >= limit {
			return w.Finish(oaicompat.FinishLength)
		}
		d := oaicompat.Delta{Content: word}
		if req.WantsLogprobs() {
			d.Logprobs = []oaicompat.TokenLogprob{{Token: word, Logprob: -0.5, Bytes: []int{int(word[0])},
				TopLogprobs: []oaicompat.TopLogprob{{Token: word, Logprob: -0.5}}}}
		}
		if err := w.WriteDelta(d); err != nil {
			return err
		}
	}
	return nil
}

// callParis calls tool name with {"city":"Paris"}, in two fragments.
func callParis(w *oaicompat.ChatWriter, name string) error {
	i, err := w.StartToolCall("", name)
	if err != nil {
		return err
	}
	for _, frag := range []string{`{"city":`, `"Paris"}`} {
		if err := w.WriteToolCallArguments(i, frag); err != nil {
			return err
		}
	}
	return nil
}

func (s *dialectBackend) lastRequest() *oaicompat.ChatRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// count returns how many requests the backend answered.
func (s *dialectBackend) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reqs
}

// serveDialects starts a server of backend with opts.
func serveDialects(t *testing.T, backend oaicompat.Backend, opts ...oaicompat.Option) *httptest.Server {
	t.Helper()
	return serve(t, oaicompat.NewHandler(backend, opts...))
}
