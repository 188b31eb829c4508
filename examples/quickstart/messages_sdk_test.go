package main

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
)

// TestDemoThroughAnthropicSDK drives the demo's Messages API with the
// official Go SDK, as the banner's Anthropic line does: an answer, a
// thinking block for "Think step by step:", the stream accumulated into
// the same message, a stop sequence, a tool round trip, count_tokens and a
// typed error.
func TestDemoThroughAnthropicSDK(t *testing.T) {
	t.Parallel()
	srv, _ := startDemo(t)
	c := anthropic.NewClient(option.WithBaseURL(srv.URL), option.WithAPIKey("demo"), option.WithMaxRetries(0))
	ctx := context.Background()
	ask := func(text string) []anthropic.MessageParam {
		return []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(text))}
	}

	msg, err := c.Messages.New(ctx, anthropic.MessageNewParams{Model: chatModel, MaxTokens: 200, Messages: ask("What is 2+2?")})
	if err != nil {
		t.Fatal(err)
	}
	if msg.Content[0].Text != "2+2 equals 4." || msg.StopReason != anthropic.StopReasonEndTurn || msg.Usage.InputTokens != 3 {
		t.Errorf("answer %s", msg.RawJSON())
	}

	think := anthropic.MessageNewParams{Model: chatModel, MaxTokens: 200, Messages: ask("Think step by step: What is 6*7?")}
	msg, err = c.Messages.New(ctx, think)
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Content) != 2 || msg.Content[0].Type != "thinking" || msg.Content[0].Thinking == "" || msg.Content[1].Text != "6*7 equals 42." {
		t.Errorf("thinking %s", msg.RawJSON())
	}
	stream := c.Messages.NewStreaming(ctx, think)
	var got anthropic.Message
	for stream.Next() {
		if err := got.Accumulate(stream.Current()); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if !sameMessage(t, got.RawJSON(), msg.RawJSON()) {
		t.Errorf("stream %s\nmessage %s", got.RawJSON(), msg.RawJSON())
	}

	msg, err = c.Messages.New(ctx, anthropic.MessageNewParams{Model: chatModel, MaxTokens: 200, Messages: ask("What is 2+2?"),
		StopSequences: []string{"equals"}})
	if err != nil || msg.StopReason != anthropic.StopReasonStopSequence || msg.StopSequence != "equals" || msg.Content[0].Text != "2+2 " {
		t.Errorf("stop sequence %v %s", err, msg.RawJSON())
	}

	tools := []anthropic.ToolUnionParam{{OfTool: &anthropic.ToolParam{Name: "get_weather", Description: anthropic.String("Current weather in a city"),
		InputSchema: anthropic.ToolInputSchemaParam{Properties: map[string]any{"city": map[string]any{"type": "string"}}, Required: []string{"city"}}}}}
	p := anthropic.MessageNewParams{Model: chatModel, MaxTokens: 200, Messages: ask("What is the weather in Paris?"), Tools: tools}
	first, err := c.Messages.New(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	call := first.Content[0]
	if call.Type != "tool_use" || call.Name != "get_weather" || string(call.Input) != `{"city":"Paris"}` || first.StopReason != anthropic.StopReasonToolUse {
		t.Fatalf("tool use %s", first.RawJSON())
	}
	p.Messages = append(p.Messages, first.ToParam(),
		anthropic.NewUserMessage(anthropic.NewToolResultBlock(call.ID, `{"temperature":22,"condition":"sunny"}`, false)))
	second, err := c.Messages.New(ctx, p)
	if err != nil || second.Content[0].Text != "Here is what I found. get_weather for Paris: temperature 22, condition sunny." {
		t.Errorf("tool answer %v %s", err, second.RawJSON())
	}

	n, err := c.Messages.CountTokens(ctx, anthropic.MessageCountTokensParams{Model: chatModel, Messages: ask("What is 2+2?")})
	if err != nil || n.InputTokens != 3 {
		t.Errorf("count_tokens %v %v", n, err)
	}

	_, err = c.Messages.New(ctx, anthropic.MessageNewParams{Model: chatModel, MaxTokens: 200, Messages: ask("hi"), Tools: tools,
		ToolChoice: anthropic.ToolChoiceUnionParam{OfTool: &anthropic.ToolChoiceToolParam{Name: "get_time"}}})
	var apiErr *anthropic.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Message != "tool_choice.name: Tool 'get_time' not found in tools" {
		t.Errorf("err = %v", err)
	}
}

// sameMessage reports whether two messages are the same but for their
// ids, which the demo makes at random.
func sameMessage(t *testing.T, a, b string) bool {
	t.Helper()
	var ma, mb map[string]any
	if json.Unmarshal([]byte(a), &ma) != nil || json.Unmarshal([]byte(b), &mb) != nil {
		t.Fatalf("not JSON: %s / %s", a, b)
	}
	delete(ma, "id")
	delete(mb, "id")
	return reflect.DeepEqual(ma, mb)
}
