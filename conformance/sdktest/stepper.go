package sdktest

import (
	"context"
	"testing"

	"github.com/oaicompat/oaicompat"
	"github.com/openai/openai-go/v3"
)

// Stepper is a backend that writes its words one delta at a time and waits,
// before each word after the first, until the client has received the one
// before. Only a response flushed event by event lets CheckFlush finish:
// anything that buffers the stream leaves the client waiting for the first
// word while the backend waits for the client, until Timeout fails the test.
// No timing is measured, so a loaded machine cannot make it flaky.
type Stepper struct {
	words []string
	next  chan struct{}
}

// NewStepper returns a Stepper writing words.
func NewStepper(words ...string) *Stepper {
	return &Stepper{words: words, next: make(chan struct{})}
}

// Chat implements oaicompat.Backend.
func (s *Stepper) Chat(ctx context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	for i, word := range s.words {
		if i > 0 {
			select {
			case <-s.next:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if err := w.WriteText(word); err != nil {
			return err
		}
	}
	return nil
}

// CheckFlush streams a chat from c, whose server must be backed by s, and
// fails t unless every word arrives as its own delta before the backend
// writes the next.
func (s *Stepper) CheckFlush(t testing.TB, c openai.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	stream := c.Chat.Completions.NewStreaming(ctx, Params("step"))
	defer stream.Close()
	got := 0
	for stream.Next() {
		for _, ch := range stream.Current().Choices {
			if ch.Delta.Content == "" {
				continue
			}
			if got == len(s.words) || ch.Delta.Content != s.words[got] {
				t.Fatalf("delta %d = %q, want the words %q one per delta", got, ch.Delta.Content, s.words)
			}
			got++
			if got < len(s.words) {
				select {
				case s.next <- struct{}{}: // the backend may write the next word
				case <-ctx.Done():
					t.Fatalf("stalled after word %d: %v", got, ctx.Err())
				}
			}
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("stream after %d of %d words: %v (a response that is not flushed event by event stalls here)", got, len(s.words), err)
	}
	if got != len(s.words) {
		t.Fatalf("got %d of %d words", got, len(s.words))
	}
}
