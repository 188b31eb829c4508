package oaitest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/oaitest"
)

// These tests drive the mock's Anthropic Messages API with the official Go
// SDK, github.com/anthropics/anthropic-sdk-go.

// newAnthropic returns a client of m without retries unless opts say
// otherwise.
func newAnthropic(m *oaitest.Mock, opts ...option.RequestOption) anthropic.Client {
	base := []option.RequestOption{option.WithBaseURL(m.RootURL()), option.WithAPIKey("test-key"),
		option.WithHTTPClient(m.HTTPClient()), option.WithMaxRetries(0)}
	return anthropic.NewClient(append(base, opts...)...)
}

func claudeTurn(text string) []anthropic.MessageParam {
	return []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(text))}
}

var claudeWeather = anthropic.ToolUnionParam{OfTool: &anthropic.ToolParam{Name: "get_weather",
	InputSchema: anthropic.ToolInputSchemaParam{Properties: map[string]any{"city": map[string]any{"type": "string"}}}}}

// TestMessagesScript: a scripted tool-calling conversation of a Claude
// client, with the journal of what it sent.
func TestMessagesScript(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t)
	mock.Script(
		oaitest.Turn(oaitest.Chat().API("messages").LastUser(oaitest.Contains("weather")),
			oaitest.ToolCalls(oaitest.Call("get_weather", `{"city":"Paris"}`))),
		oaitest.Turn(oaitest.Chat().ToolResult("get_weather"), oaitest.Text("22°C and sunny.").Reasoning("The tool answered.")),
	)
	c := newAnthropic(mock)
	ctx := context.Background()
	p := anthropic.MessageNewParams{Model: "claude-test", MaxTokens: 100, Messages: claudeTurn("weather in Paris?"),
		Tools: []anthropic.ToolUnionParam{claudeWeather}}
	first, err := c.Messages.New(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	call := first.Content[0]
	if call.Type != "tool_use" || call.ID != "toolu_oaitest-000001" || string(call.Input) != `{"city":"Paris"}` || first.StopReason != "tool_use" {
		t.Fatalf("first %s", first.RawJSON())
	}
	p.Messages = append(p.Messages, first.ToParam(), anthropic.NewUserMessage(anthropic.NewToolResultBlock(call.ID, "22C", false)))
	var second anthropic.Message
	stream := c.Messages.NewStreaming(ctx, p)
	for stream.Next() {
		if err := second.Accumulate(stream.Current()); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if len(second.Content) != 2 || second.Content[0].Thinking != "The tool answered." || second.Content[1].Text != "22°C and sunny." {
		t.Errorf("second %s", second.RawJSON())
	}
	reqs := mock.Requests()
	if len(reqs) != 2 || reqs[1].API != "messages" || reqs[1].Messages == nil || len(reqs[1].Messages.Messages) != 3 ||
		reqs[1].ToolResults()[0].Content != "22C" || reqs[0].Rule == "" {
		t.Errorf("journal %+v", reqs)
	}
}

// TestMessagesFaults: the wire faults play on Messages streams in their
// own shape.
func TestMessagesFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		reply *oaitest.Reply
		check func(t *testing.T, events []string, text string, err error)
	}{
		{"split writes", oaitest.Text("héllo wörld, it's me").SplitWrites(7), func(t *testing.T, _ []string, text string, err error) {
			if err != nil || text != "héllo wörld, it's me" {
				t.Errorf("%q %v", text, err)
			}
		}},
		{"disconnect", oaitest.Text("one two three four").DisconnectAfter(3), func(t *testing.T, events []string, _ string, err error) {
			if err == nil || len(events) != 3 {
				t.Errorf("%v after %v", err, events)
			}
		}},
		{"malformed", oaitest.Text("one two three").MalformedChunk(3), func(t *testing.T, events []string, _ string, err error) {
			if err == nil || len(events) != 2 {
				t.Errorf("%v after %v", err, events)
			}
		}},
		{"no message_stop", oaitest.Text("one two").NoDone(), func(t *testing.T, events []string, text string, err error) {
			if err != nil || text != "one two" || events[len(events)-1] != "message_delta" {
				t.Errorf("%q %v %v", text, err, events)
			}
		}},
		{"error after", oaitest.Text("one two three").ErrorAfter(2, oaicompat.ServerError("boom")), func(t *testing.T, _ []string, text string, err error) {
			var apiErr *anthropic.Error
			if !errors.As(err, &apiErr) || apiErr.Type() != "api_error" || apiErr.Message != "boom" || text != "one two" {
				t.Errorf("%q %v", text, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mock := oaitest.NewServer(t)
			mock.On(nil).Reply(tt.reply)
			c := newAnthropic(mock)
			stream := c.Messages.NewStreaming(context.Background(), anthropic.MessageNewParams{Model: "m", MaxTokens: 100,
				Messages: claudeTurn("hi"), StopSequences: []string{"###"}})
			var events []string
			var text string
			for stream.Next() {
				ev := stream.Current()
				events = append(events, string(ev.Type))
				text += ev.Delta.Text
			}
			tt.check(t, events, strings.TrimSpace(text), stream.Err())
		})
	}
}

// TestMessagesRetriesAndStopSequence: the SDK retries a scripted 429 and
// reads the stop sequence that ended the answer.
func TestMessagesRetriesAndStopSequence(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t)
	mock.On(nil).Reply(oaitest.RateLimited(20*time.Millisecond), oaitest.Text("one two").StopSequence("###"))
	c := newAnthropic(mock, option.WithMaxRetries(2))
	msg, err := c.Messages.New(context.Background(), anthropic.MessageNewParams{Model: "m", MaxTokens: 100,
		Messages: claudeTurn("count"), StopSequences: []string{"###"}})
	if err != nil {
		t.Fatal(err)
	}
	if msg.StopReason != "stop_sequence" || msg.StopSequence != "###" || msg.Content[0].Text != "one two" {
		t.Errorf("%s", msg.RawJSON())
	}
	mock.AssertRetried(t, 429)
	mock.AssertBackoff(t)
}

// TestMessagesCountTokensAndStrict: count_tokens answers the mock's count;
// an unknown field is refused in the Anthropic envelope, a field of the
// API that chat lacks is not.
func TestMessagesCountTokensAndStrict(t *testing.T) {
	t.Parallel()
	mock, done := recordingServer(t)
	mock.On(nil).Times(1)
	c := newAnthropic(mock)
	ctx := context.Background()
	n, err := c.Messages.CountTokens(ctx, anthropic.MessageCountTokensParams{Model: "m", Messages: claudeTurn("one two three")})
	if err != nil || n.InputTokens == 0 {
		t.Fatalf("%v %v", n, err)
	}
	if last := mock.LastRequest(); last.API != "messages.count_tokens" || last.Chat == nil {
		t.Errorf("journal %+v", last)
	}
	p := anthropic.MessageNewParams{Model: "m", MaxTokens: 100, Messages: claudeTurn("hi")}
	if _, err := c.Messages.New(ctx, p, option.WithJSONSet("top_k", 5)); err != nil {
		t.Fatal(err)
	}
	_, err = c.Messages.New(ctx, p, option.WithJSONSet("topk", 5))
	var apiErr *anthropic.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Type() != "invalid_request_error" || !strings.Contains(apiErr.Message, "topk") {
		t.Errorf("err = %v", err)
	}
	expectFailure(t, done(), "violates the API", "topk")
}
