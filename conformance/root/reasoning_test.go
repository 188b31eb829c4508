package oaicompat_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	goopenai "github.com/sashabaranov/go-openai"

	"github.com/oaicompat/oaicompat"
)

// thinker reasons before it answers, as DeepSeek-R1 or Qwen3 do.
var thinker = oaicompat.ChatFunc(func(_ context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	for _, piece := range []string{"The user greets me. ", "I greet back."} {
		if err := w.WriteReasoning(piece); err != nil {
			return err
		}
	}
	if err := w.WriteDelta(oaicompat.Delta{ReasoningSignature: "sig-1"}); err != nil {
		return err
	}
	w.SetUsage(oaicompat.Usage{PromptTokens: 3, CompletionTokens: 9,
		CompletionTokensDetails: &oaicompat.CompletionTokensDetails{ReasoningTokens: 6}})
	return w.WriteText("Hello!")
})

const thought = "The user greets me. I greet back."

// TestReasoningInChat: chat clients read the reasoning as
// reasoning_content, streamed and not, and the answer is unchanged.
func TestReasoningInChat(t *testing.T) {
	srv := serveDialects(t, thinker)
	ctx := context.Background()
	client := communityClient(srv)
	req := goopenai.ChatCompletionRequest{Model: "m", Messages: []goopenai.ChatCompletionMessage{{Role: "user", Content: "hi"}}}
	resp, err := client.CreateChatCompletion(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if m := resp.Choices[0].Message; m.ReasoningContent != thought || m.Content != "Hello!" ||
		resp.Usage.CompletionTokensDetails.ReasoningTokens != 6 {
		t.Fatalf("message %+v usage %+v", m, resp.Usage)
	}
	stream, err := client.CreateChatCompletionStream(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	var reasoning, content strings.Builder
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range chunk.Choices {
			reasoning.WriteString(c.Delta.ReasoningContent)
			content.WriteString(c.Delta.Content)
		}
	}
	if reasoning.String() != thought || content.String() != "Hello!" {
		t.Fatalf("streamed reasoning %q content %q", reasoning.String(), content.String())
	}

	// openai-go has no field for it: the answer is intact and the reasoning
	// is an extra field.
	official := goClient(srv.URL)
	c, err := official.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "m",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Choices[0].Message.Content != "Hello!" || !strings.Contains(c.Choices[0].Message.JSON.ExtraFields["reasoning_content"].Raw(), "I greet back.") {
		t.Fatalf("openai-go message %s", c.Choices[0].Message.RawJSON())
	}

	// WithReasoningField renames the member.
	renamed := serveDialects(t, thinker, oaicompat.WithReasoningField("reasoning"))
	c, err = goClient(renamed.URL).Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "m",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}})
	if err != nil {
		t.Fatal(err)
	}
	if extra := c.Choices[0].Message.JSON.ExtraFields; !strings.Contains(extra["reasoning"].Raw(), "I greet back.") || extra["reasoning_content"].Raw() != "" {
		t.Fatalf("renamed reasoning field: %s", c.Choices[0].Message.RawJSON())
	}
}

// TestReasoningInResponses: openai-go reads a reasoning item with its
// summary and encrypted content before the message, streamed and not, and
// the reasoning rides along when the conversation continues.
func TestReasoningInResponses(t *testing.T) {
	be := &recording{Backend: thinker}
	srv := serveDialects(t, be)
	client := goClient(srv.URL)
	ctx := context.Background()
	params := responses.ResponseNewParams{Model: "m", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")}}
	check := func(r *responses.Response) {
		t.Helper()
		if len(r.Output) != 2 || r.Output[0].Type != "reasoning" || len(r.Output[0].Summary) != 1 ||
			r.Output[0].Summary[0].Text != thought || r.Output[0].EncryptedContent != "sig-1" ||
			r.OutputText() != "Hello!" || r.Usage.OutputTokensDetails.ReasoningTokens != 6 {
			t.Fatalf("response %s", r.RawJSON())
		}
	}
	resp, err := client.Responses.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	check(resp)

	stream := client.Responses.NewStreaming(ctx, params)
	var deltas strings.Builder
	var final *responses.Response
	for stream.Next() {
		switch ev := stream.Current(); ev.Type {
		case "response.reasoning_summary_text.delta":
			deltas.WriteString(ev.Delta)
		case "response.completed":
			r := ev.Response
			final = &r
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if deltas.String() != thought || final == nil {
		t.Fatalf("summary deltas %q, final %v", deltas.String(), final)
	}
	check(final)

	next := params
	next.Input = responses.ResponseNewParamsInputUnion{OfString: openai.String("and then?")}
	next.PreviousResponseID = openai.String(resp.ID)
	if _, err := client.Responses.New(ctx, next); err != nil {
		t.Fatal(err)
	}
	msgs := be.last().Messages
	if len(msgs) != 3 || msgs[1].Reasoning == nil || *msgs[1].Reasoning != thought || msgs[1].Content.Text() != "Hello!" {
		t.Fatalf("history given to the backend: %+v", msgs)
	}
}

// recording is a Backend that remembers the last request it answered.
type recording struct {
	oaicompat.Backend
	mu  sync.Mutex
	req *oaicompat.ChatRequest
}

func (r *recording) Chat(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	r.mu.Lock()
	r.req = req
	r.mu.Unlock()
	return r.Backend.Chat(ctx, req, w)
}

func (r *recording) last() *oaicompat.ChatRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.req
}
