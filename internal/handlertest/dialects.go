package handlertest

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat"
)

// Dialect is a chat-only Backend for the dialect tests:
//
//   - with tools and a user turn last: calls the first tool with {"city":"Paris"};
//   - after a tool result: "The weather: <result>";
//   - with a json_schema response_format: {"answer":"4"};
//   - a user message "refuse": a refusal;
//   - otherwise it echoes the last user message word by word, stopping
//     with "length" at the token limit (one word = one token).
//
// It records the last ChatRequest it saw.
type Dialect struct {
	mu   sync.Mutex
	last *oaicompat.ChatRequest
	reqs int
}

// Chat implements oaicompat.Backend.
func (s *Dialect) Chat(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
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

// LastRequest returns the last request the backend saw.
func (s *Dialect) LastRequest() *oaicompat.ChatRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// Count returns how many requests the backend answered.
func (s *Dialect) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reqs
}

// ServeDialects starts a server of backend with opts.
func ServeDialects(t *testing.T, backend oaicompat.Backend, opts ...oaicompat.Option) *httptest.Server {
	t.Helper()
	return Serve(t, oaicompat.NewHandler(backend, opts...))
}

// Failing writes some text, then fails with a rate limit.
type Failing struct{}

// Chat implements oaicompat.Backend.
func (Failing) Chat(_ context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	if err := w.WriteText("partial "); err != nil {
		return err
	}
	return oaicompat.RateLimited(time.Second, "Slow down.")
}
