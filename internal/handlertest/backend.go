// Package handlertest holds the fixtures the tests of package oaicompat
// share with the SDK tests of module conformance: backends that answer by
// keyword, and helpers that serve them and read raw HTTP answers. It
// imports no SDK.
package handlertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/internal/testenv"
)

// Backend answers by keyword in the last user message, so that one
// backend exercises every path of the handler through the SDKs.
type Backend struct {
	// Blocked receives when a "block" request is waiting on its context;
	// Cancelled receives when that context ends.
	Blocked, Cancelled chan struct{}
	// Calls counts the Chat calls.
	Calls atomic.Int64
}

// NewBackend returns a ready Backend.
func NewBackend() *Backend {
	return &Backend{Blocked: make(chan struct{}, 1), Cancelled: make(chan struct{}, 1)}
}

// Chat implements oaicompat.Backend.
func (b *Backend) Chat(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	b.Calls.Add(1)
	msg := req.LastUserMessage()
	switch {
	case strings.Contains(msg, "tools"):
		// Two parallel calls, arguments in fragments.
		for i, city := range []string{"Paris", "Tokyo"} {
			idx, err := w.StartToolCall(fmt.Sprintf("call_%d", i), "get_weather")
			if err != nil {
				return err
			}
			for _, frag := range []string{`{"city":`, `"` + city + `"`, `}`} {
				if err := w.WriteToolCallArguments(idx, frag); err != nil {
					return err
				}
			}
		}
	case strings.Contains(msg, "refuse"):
		return w.WriteRefusal("I can't help with that.")
	case strings.Contains(msg, "rate-limit"):
		return oaicompat.RateLimited(2*time.Second, "Rate limit reached for requests")
	case strings.Contains(msg, "secret-failure"):
		return errors.New("database password is hunter2")
	case strings.Contains(msg, "fail-late"):
		if err := w.WriteText("partial"); err != nil {
			return err
		}
		return oaicompat.ServerError("the model crashed")
	case strings.Contains(msg, "panic"):
		panic("backend exploded")
	case strings.Contains(msg, "block"):
		b.Blocked <- struct{}{}
		<-ctx.Done()
		b.Cancelled <- struct{}{}
		return ctx.Err()
	case strings.Contains(msg, "logprobs"):
		lp := []oaicompat.TokenLogprob{{Token: "Yes", Logprob: -0.5, Bytes: []int{89, 101, 115},
			TopLogprobs: []oaicompat.TopLogprob{{Token: "Yes", Logprob: -0.5, Bytes: []int{89, 101, 115}}, {Token: "No", Logprob: -1.25, Bytes: []int{78, 111}}}}}
		return w.WriteDelta(oaicompat.Delta{Content: "Yes", Logprobs: lp})
	case strings.Contains(msg, "length"):
		if err := w.WriteText("cut"); err != nil {
			return err
		}
		return w.Finish(oaicompat.FinishLength)
	default:
		for _, piece := range []string{"Hello", ", ", "world!"} {
			if err := w.WriteText(piece); err != nil {
				return err
			}
		}
		if w.Index() > 0 {
			if err := w.WriteText(fmt.Sprintf(" (choice %d)", w.Index())); err != nil {
				return err
			}
		}
	}
	w.SetUsage(oaicompat.Usage{PromptTokens: 7, CompletionTokens: 3})
	return nil
}

// Embed implements oaicompat.Embedder.
func (b *Backend) Embed(_ context.Context, req *oaicompat.EmbeddingRequest) (*oaicompat.EmbeddingResult, error) {
	dims := 4
	if req.Dimensions != nil {
		dims = *req.Dimensions
	}
	res := &oaicompat.EmbeddingResult{Usage: oaicompat.Usage{PromptTokens: req.Input.Len()}}
	for i := 0; i < req.Input.Len(); i++ {
		v := make([]float32, dims)
		for j := range v {
			v[j] = float32(i+1) / float32(j+3) // values that are not exact in decimal
		}
		res.Vectors = append(res.Vectors, v)
	}
	return res, nil
}

// TinyPNG is the image data Backend answers with.
var TinyPNG = []byte("\x89PNG\r\n\x1a\nnot-really-a-png")

// GenerateImages implements oaicompat.ImageGenerator.
func (b *Backend) GenerateImages(_ context.Context, req *oaicompat.ImageRequest) (*oaicompat.ImageResult, error) {
	res := &oaicompat.ImageResult{}
	for i := 0; i < req.Count(); i++ {
		res.Images = append(res.Images, oaicompat.Image{Data: TinyPNG, URL: fmt.Sprintf("https://images.example/%d.png", i)})
	}
	return res, nil
}

// ListModels implements oaicompat.ModelLister.
func (b *Backend) ListModels(context.Context) ([]oaicompat.Model, error) {
	return []oaicompat.Model{{ID: "test-model", Created: 1700000000, OwnedBy: "tests"}, {ID: "org/model-with-slash", Created: 1700000001}, {ID: "m", Created: 1700000002}}, nil
}

// Serve starts h on a loopback listener for the test's duration.
func Serve(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// SSEEvents splits an SSE body into its data payloads.
func SSEEvents(t testing.TB, body string) []string {
	t.Helper()
	if !strings.HasSuffix(body, "\n\n") {
		t.Fatalf("stream does not end with a blank line: %q", body)
	}
	var out []string
	for _, ev := range strings.Split(strings.TrimSuffix(body, "\n\n"), "\n\n") {
		if strings.HasPrefix(ev, ":") {
			continue
		}
		data, ok := strings.CutPrefix(ev, "data: ")
		if !ok || strings.Contains(data, "\n") {
			t.Fatalf("malformed event %q", ev)
		}
		out = append(out, data)
	}
	return out
}

// DecodeJSON unmarshals s into a generic map, failing the test on error.
func DecodeJSON(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("invalid JSON %q: %v", s, err)
	}
	return m
}

// Post sends a raw JSON body and returns status, headers and body.
func Post(t testing.TB, url, body string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, resp.Header, sb.String()
}

// Node returns the node binary for the tests that drive the official
// openai npm package from nodetest (the path of the repository's nodetest
// directory from the test's); a missing node or package ends the test as
// testenv.Missing says (CI installs both).
func Node(t *testing.T, nodetest string) string {
	t.Helper()
	node, _ := testenv.Node(t, nodetest, "openai")
	return node
}
