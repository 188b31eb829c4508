package oaicompat_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/anthropics/anthropic-sdk-go/v2/packages/ssestream"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
)

// These tests drive POST /v1/messages with the official Go SDK,
// github.com/anthropics/anthropic-sdk-go, over a loopback listener, and
// assert on what the SDK hands its caller.

// anthropicClient is a Go SDK client of srv that does not retry.
func anthropicClient(url string, opts ...option.RequestOption) anthropic.Client {
	return anthropic.NewClient(append([]option.RequestOption{option.WithBaseURL(url), option.WithAPIKey("test-key"),
		option.WithMaxRetries(0)}, opts...)...)
}

// fixedIDs makes every id of a kind the same, so that the streamed and
// the non-streamed answer of one request can be compared whole.
func fixedIDs() oaicompat.Option {
	return oaicompat.WithIDGenerator(func(prefix string) string { return prefix + "fixed" })
}

func userTurn(text string) []anthropic.MessageParam {
	return []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(text))}
}

var weatherTool = anthropic.ToolUnionParam{OfTool: &anthropic.ToolParam{Name: "get_weather", Description: anthropic.String("Weather of a city"),
	InputSchema: anthropic.ToolInputSchemaParam{Properties: map[string]any{"city": map[string]any{"type": "string"}}, Required: []string{"city"}}}}

func TestMessagesSDKCreate(t *testing.T) {
	t.Parallel()
	srv := serveDialects(t, &messagesBackend{})
	c := anthropicClient(srv.URL)
	var res *http.Response
	msg, err := c.Messages.New(context.Background(), anthropic.MessageNewParams{Model: "m1", MaxTokens: 100,
		Messages: userTurn("hello world")}, option.WithResponseInto(&res))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(msg.ID, "msg_") || msg.Role != "assistant" || msg.Model != "m1" || msg.StopReason != anthropic.StopReasonEndTurn {
		t.Errorf("message %s", msg.RawJSON())
	}
	if len(msg.Content) != 1 || msg.Content[0].Text != "You said: hello world" {
		t.Errorf("content %s", msg.RawJSON())
	}
	if msg.Usage.InputTokens != 10 || msg.Usage.OutputTokens != 5 || !msg.Usage.JSON.CacheReadInputTokens.Valid() ||
		!msg.Usage.JSON.CacheCreationInputTokens.Valid() || msg.StopSequence != "" {
		t.Errorf("usage %s", msg.Usage.RawJSON())
	}
	if id := res.Header.Get("request-id"); !strings.HasPrefix(id, "req_") {
		t.Errorf("request-id %q", id)
	}
}

// TestMessagesSDKStreamAccumulates: for answers of every shape, the stream
// accumulated by Message.Accumulate is exactly the non-streamed Message.
func TestMessagesSDKStreamAccumulates(t *testing.T) {
	t.Parallel()
	srv := serveDialects(t, &messagesBackend{}, fixedIDs())
	c := anthropicClient(srv.URL)
	ctx := context.Background()
	tests := []struct {
		name   string
		params anthropic.MessageNewParams
		check  func(t *testing.T, m *anthropic.Message)
	}{
		{"text", anthropic.MessageNewParams{Messages: userTurn("one two three")}, func(t *testing.T, m *anthropic.Message) {
			if m.Content[0].Text != "You said: one two three" {
				t.Errorf("text %q", m.Content[0].Text)
			}
		}},
		{"max_tokens", anthropic.MessageNewParams{MaxTokens: 3, Messages: userTurn("a b c d e")}, func(t *testing.T, m *anthropic.Message) {
			if m.StopReason != anthropic.StopReasonMaxTokens || m.Content[0].Text != "You said: a " {
				t.Errorf("%s %q", m.StopReason, m.Content[0].Text)
			}
		}},
		{"tool_use", anthropic.MessageNewParams{Messages: userTurn("weather?"), Tools: []anthropic.ToolUnionParam{weatherTool}}, func(t *testing.T, m *anthropic.Message) {
			if m.StopReason != anthropic.StopReasonToolUse || len(m.Content) != 2 || m.Content[1].Type != "tool_use" ||
				string(m.Content[1].Input) != `{"city":"Paris"}` || !strings.HasPrefix(m.Content[1].ID, "toolu_") {
				t.Errorf("%s", m.RawJSON())
			}
		}},
		{"parallel", anthropic.MessageNewParams{Messages: userTurn("two calls"), Tools: []anthropic.ToolUnionParam{weatherTool}}, func(t *testing.T, m *anthropic.Message) {
			if len(m.Content) != 2 || string(m.Content[0].Input) != `{"city":"Paris"}` || string(m.Content[1].Input) != `{"city":"Rome"}` {
				t.Errorf("%s", m.RawJSON())
			}
		}},
		{"thinking", anthropic.MessageNewParams{MaxTokens: 2048, Messages: userTurn("think hard"),
			Thinking: anthropic.ThinkingConfigParamUnion{OfEnabled: &anthropic.ThinkingConfigEnabledParam{BudgetTokens: 1024}}}, func(t *testing.T, m *anthropic.Message) {
			if len(m.Content) != 2 || m.Content[0].Type != "thinking" || m.Content[0].Thinking != "Let me think." ||
				m.Content[0].Signature != "sig-1" || m.Content[1].Text != "42" || m.Usage.OutputTokensDetails.ThinkingTokens != 6 {
				t.Errorf("%s", m.RawJSON())
			}
		}},
		{"stop_sequence", anthropic.MessageNewParams{Messages: userTurn("stop"), StopSequences: []string{"###", "END"}}, func(t *testing.T, m *anthropic.Message) {
			if m.StopReason != anthropic.StopReasonStopSequence || m.StopSequence != "###" || m.Content[0].Text != "one two " {
				t.Errorf("%s", m.RawJSON())
			}
		}},
		{"refusal", anthropic.MessageNewParams{Messages: userTurn("refuse")}, func(t *testing.T, m *anthropic.Message) {
			if m.StopReason != anthropic.StopReasonRefusal || m.Content[0].Text != "I can't help with that." {
				t.Errorf("%s", m.RawJSON())
			}
		}},
		{"empty", anthropic.MessageNewParams{MaxTokens: 0, Messages: userTurn("hi")}, func(t *testing.T, m *anthropic.Message) {
			if m.StopReason != anthropic.StopReasonMaxTokens || len(m.Content) != 0 {
				t.Errorf("%s", m.RawJSON())
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.params
			p.Model = "m1"
			if p.MaxTokens == 0 && tt.name != "empty" {
				p.MaxTokens = 100
			}
			want, err := c.Messages.New(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, want)
			got := accumulateMessage(t, c.Messages.NewStreaming(ctx, p))
			tt.check(t, &got)
			if !sameJSON(t, got.RawJSON(), want.RawJSON()) {
				t.Errorf("accumulated stream differs from the message\nstream:  %s\nmessage: %s", got.RawJSON(), want.RawJSON())
			}
		})
	}
}

// accumulateMessage reads a stream to its end into a Message, as the SDK's
// documentation does.
func accumulateMessage(t *testing.T, stream *ssestream.Stream[anthropic.MessageStreamEventUnion]) anthropic.Message {
	t.Helper()
	var m anthropic.Message
	for stream.Next() {
		if err := m.Accumulate(stream.Current()); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

// sameJSON reports whether a and b encode the same value.
func sameJSON(t *testing.T, a, b string) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal([]byte(a), &va); err != nil {
		t.Fatalf("%v: %s", err, a)
	}
	if err := json.Unmarshal([]byte(b), &vb); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return reflect.DeepEqual(va, vb)
}

// TestMessagesSDKToolRoundTrip: the tool_use block goes back as the
// assistant turn with a tool_result; the backend sees a chat tool call and
// its tool message, and answers from the result.
func TestMessagesSDKToolRoundTrip(t *testing.T) {
	t.Parallel()
	be := &messagesBackend{}
	srv := serveDialects(t, be)
	c := anthropicClient(srv.URL)
	ctx := context.Background()
	p := anthropic.MessageNewParams{Model: "m1", MaxTokens: 100, Messages: userTurn("weather in Paris?"),
		System: []anthropic.TextBlockParam{{Text: "Be brief."}}, Tools: []anthropic.ToolUnionParam{weatherTool}}
	first, err := c.Messages.New(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	call := first.Content[1]
	for _, isError := range []bool{false, true} {
		p.Messages = append(userTurn("weather in Paris?"), first.ToParam(),
			anthropic.NewUserMessage(anthropic.NewToolResultBlock(call.ID, "18C", isError)))
		second, err := c.Messages.New(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		want := "The weather: 18C"
		if isError {
			want += " (error)"
		}
		if second.Content[0].Text != want || second.StopReason != anthropic.StopReasonEndTurn {
			t.Errorf("second answer %s", second.RawJSON())
		}
	}
	req := be.LastRequest()
	if len(req.Messages) != 4 || req.Messages[0].Role != "system" || req.Messages[0].Content.Text() != "Be brief." {
		t.Fatalf("messages %+v", req.Messages)
	}
	a := req.Messages[2]
	if a.Role != "assistant" || a.Content.Text() != "Let me check." || len(a.ToolCalls) != 1 || a.ToolCalls[0].ID != call.ID ||
		a.ToolCalls[0].Function.Arguments != `{"city":"Paris"}` || req.Messages[3].ToolCallID != call.ID {
		t.Errorf("assistant %+v, tool %+v", a, req.Messages[3])
	}
}

// TestMessagesSDKToolChoice: each tool_choice reaches the backend as its
// chat form, and the output guard holds the answer to it.
func TestMessagesSDKToolChoice(t *testing.T) {
	t.Parallel()
	be := &messagesBackend{}
	srv := serveDialects(t, be)
	c := anthropicClient(srv.URL)
	ctx := context.Background()
	second := anthropic.ToolUnionParam{OfTool: &anthropic.ToolParam{Name: "get_time", InputSchema: anthropic.ToolInputSchemaParam{Properties: map[string]any{}}}}
	yes := anthropic.Bool(true)
	tests := []struct {
		name     string
		choice   anthropic.ToolChoiceUnionParam
		prompt   string
		want     oaicompat.ToolChoice
		parallel bool
		called   string // the tool called, "" for none
		status   int    // an error answer
	}{
		{"auto", anthropic.ToolChoiceUnionParam{OfAuto: &anthropic.ToolChoiceAutoParam{}}, "weather?", oaicompat.ToolChoice{Mode: "auto"}, true, "get_weather", 0},
		{"any", anthropic.ToolChoiceUnionParam{OfAny: &anthropic.ToolChoiceAnyParam{}}, "weather?", oaicompat.ToolChoice{Mode: "required"}, true, "get_weather", 0},
		{"tool", anthropic.ToolChoiceUnionParam{OfTool: &anthropic.ToolChoiceToolParam{Name: "get_time"}}, "weather?", oaicompat.ToolChoice{Type: "function", Name: "get_time"}, true, "get_time", 0},
		{"none", anthropic.ToolChoiceUnionParam{OfNone: &anthropic.ToolChoiceNoneParam{}}, "weather?", oaicompat.ToolChoice{Mode: "none"}, true, "", 0},
		{"one call", anthropic.ToolChoiceUnionParam{OfAny: &anthropic.ToolChoiceAnyParam{DisableParallelToolUse: yes}}, "weather?", oaicompat.ToolChoice{Mode: "required"}, false, "get_weather", 0},
		// The backend calls two tools though the client allowed one: the
		// guard answers with an error rather than the calls.
		{"guarded", anthropic.ToolChoiceUnionParam{OfAuto: &anthropic.ToolChoiceAutoParam{DisableParallelToolUse: yes}}, "two calls", oaicompat.ToolChoice{Mode: "auto"}, false, "", 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := c.Messages.New(ctx, anthropic.MessageNewParams{Model: "m1", MaxTokens: 100, Messages: userTurn(tt.prompt),
				Tools: []anthropic.ToolUnionParam{weatherTool, second}, ToolChoice: tt.choice})
			if tt.status != 0 {
				var apiErr *anthropic.Error
				if !errors.As(err, &apiErr) || apiErr.StatusCode != tt.status || apiErr.Type() != "api_error" {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			req := be.LastRequest()
			if *req.ToolChoice != tt.want || req.AllowsParallelToolCalls() != tt.parallel {
				t.Errorf("tool_choice %+v parallel %v", *req.ToolChoice, req.AllowsParallelToolCalls())
			}
			var called string
			for _, b := range msg.Content {
				if b.Type == "tool_use" {
					called = b.Name
				}
			}
			if called != tt.called {
				t.Errorf("called %q: %s", called, msg.RawJSON())
			}
		})
	}
}

// TestMessagesSDKThinkingRoundTrip: thinking blocks the client sends back
// reach the backend as the assistant message's reasoning and signature.
func TestMessagesSDKThinkingRoundTrip(t *testing.T) {
	t.Parallel()
	be := &messagesBackend{}
	srv := serveDialects(t, be)
	c := anthropicClient(srv.URL)
	ctx := context.Background()
	p := anthropic.MessageNewParams{Model: "m1", MaxTokens: 4096, Messages: userTurn("think about it"),
		Thinking: anthropic.ThinkingConfigParamUnion{OfEnabled: &anthropic.ThinkingConfigEnabledParam{BudgetTokens: 2048}}}
	first, err := c.Messages.New(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if be.LastRequest().ReasoningEffort != "low" || !sameJSON(t, string(be.LastRequest().Extra["thinking"]), `{"type":"enabled","budget_tokens":2048}`) {
		t.Errorf("effort %q, thinking %s", be.LastRequest().ReasoningEffort, be.LastRequest().Extra["thinking"])
	}
	p.Messages = append(p.Messages, first.ToParam(), anthropic.NewUserMessage(anthropic.NewTextBlock("and then?")),
		anthropic.NewAssistantMessage(anthropic.NewRedactedThinkingBlock("opaque")))
	p.Messages = append(p.Messages, anthropic.NewUserMessage(anthropic.NewTextBlock("go on")))
	if _, err := c.Messages.New(ctx, p); err != nil {
		t.Fatal(err)
	}
	req := be.LastRequest()
	a := req.Messages[1]
	if a.Role != "assistant" || a.Reasoning == nil || *a.Reasoning != "Let me think." || a.ReasoningSignature != "sig-1" || a.Content.Text() != "42" {
		t.Errorf("assistant %+v", a)
	}
	r := req.Messages[3]
	if parts := r.Content.Parts(); len(parts) != 1 || parts[0].Type != "redacted_thinking" || string(parts[0].Extra["data"]) != `"opaque"` {
		t.Errorf("redacted thinking %+v", r)
	}
}

func TestMessagesSDKCountTokens(t *testing.T) {
	t.Parallel()
	srv := serveDialects(t, &messagesBackend{})
	c := anthropicClient(srv.URL)
	ctx := context.Background()
	p := anthropic.MessageCountTokensParams{Model: "m1", Messages: userTurn("one two three"),
		System: anthropic.MessageCountTokensParamsSystemUnion{OfString: anthropic.String("be brief")}}
	n, err := c.Messages.CountTokens(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if n.InputTokens != 5 {
		t.Errorf("input_tokens = %d", n.InputTokens)
	}
	// Without a TokenCounter: 404, never a guess.
	bare := anthropicClient(serveDialects(t, chatOnly{&messagesBackend{}}).URL)
	_, err = bare.Messages.CountTokens(ctx, p)
	var apiErr *anthropic.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.Type() != "not_found_error" {
		t.Errorf("err = %v", err)
	}
}

// TestMessagesSDKErrors: every error reaches the SDK as its typed error,
// with the API's error type and message.
func TestMessagesSDKErrors(t *testing.T) {
	t.Parallel()
	keys := middleware.StaticKeys(map[string]string{"sk-good": "alice"})
	h := middleware.Auth(keys)(oaicompat.NewHandler(&messagesBackend{}, oaicompat.WithMaxRequestBytes(4<<10),
		oaicompat.WithModels(oaicompat.Model{ID: "m1", Object: "model"})))
	srv := serve(t, h)
	good := option.WithHeader("x-api-key", "sk-good")
	ctx := context.Background()
	ok := anthropic.MessageNewParams{Model: "m1", MaxTokens: 100, Messages: userTurn("hi")}
	tests := []struct {
		name    string
		opts    []option.RequestOption
		params  anthropic.MessageNewParams
		status  int
		typ     string
		message string
	}{
		// The v2 SDK has no temperature parameter; an older client sends one.
		{"bad input", []option.RequestOption{good, option.WithJSONSet("temperature", 1.5)}, ok,
			400, "invalid_request_error", "temperature: Input should be less than or equal to 1"},
		{"no messages", []option.RequestOption{good}, anthropic.MessageNewParams{Model: "m1", MaxTokens: 100, Messages: []anthropic.MessageParam{}},
			400, "invalid_request_error", "messages: List should have at least 1 item after validation, not 0"},
		{"wrong x-api-key", []option.RequestOption{option.WithHeader("x-api-key", "sk-bad")}, ok, 401, "authentication_error", "Incorrect API key provided"},
		{"wrong bearer", []option.RequestOption{option.WithAPIKey("sk-bad")}, ok, 401, "authentication_error", "Incorrect API key provided"},
		{"bearer", []option.RequestOption{option.WithAPIKey("sk-good")}, anthropic.MessageNewParams{Model: "nope", MaxTokens: 100, Messages: userTurn("hi")},
			404, "not_found_error", "The model `nope` does not exist"},
		{"too large", []option.RequestOption{good}, anthropic.MessageNewParams{Model: "m1", MaxTokens: 100, Messages: userTurn(strings.Repeat("x", 5<<10))},
			413, "request_too_large", "Request body too large"},
		{"overloaded", []option.RequestOption{good}, anthropic.MessageNewParams{Model: "m1", MaxTokens: 100, Messages: userTurn("overload")},
			529, "overloaded_error", "Overloaded"},
		{"tool result without its tool use", []option.RequestOption{good}, anthropic.MessageNewParams{Model: "m1", MaxTokens: 100,
			Messages: append(userTurn("hi"), anthropic.NewUserMessage(anthropic.NewToolResultBlock("toolu_1", "18C", false)))},
			400, "invalid_request_error", "messages.1.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_1."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := anthropic.NewClient(append([]option.RequestOption{option.WithBaseURL(srv.URL), option.WithMaxRetries(0)}, tt.opts...)...)
			_, err := c.Messages.New(ctx, tt.params)
			var apiErr *anthropic.Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v", err)
			}
			if apiErr.StatusCode != tt.status || string(apiErr.Type()) != tt.typ || !strings.HasPrefix(apiErr.Message, tt.message) ||
				!strings.HasPrefix(apiErr.RequestID, "req_") {
				t.Errorf("got %d %s %q (request id %q)", apiErr.StatusCode, apiErr.Type(), apiErr.Message, apiErr.RequestID)
			}
		})
	}
}

// TestMessagesSDKStreamError: an error after the stream began arrives as
// the in-band error event, which the SDK raises.
func TestMessagesSDKStreamError(t *testing.T) {
	t.Parallel()
	srv := serveDialects(t, &messagesBackend{})
	c := anthropicClient(srv.URL)
	stream := c.Messages.NewStreaming(context.Background(), anthropic.MessageNewParams{Model: "m1", MaxTokens: 100, Messages: userTurn("fail")})
	var text string
	for stream.Next() {
		if ev := stream.Current(); ev.Type == "content_block_delta" {
			text += ev.Delta.Text
		}
	}
	var apiErr *anthropic.Error
	if !errors.As(stream.Err(), &apiErr) || apiErr.Type() != "rate_limit_error" || apiErr.Message != "Slow down." || text != "partial " {
		t.Errorf("err = %v, text %q", stream.Err(), text)
	}
}

// TestMessagesSDKNative: a MessageCreator's events reach the SDK as they
// are, streamed, and as the Message they build when not streamed.
func TestMessagesSDKNative(t *testing.T) {
	t.Parallel()
	srv := serveDialects(t, nativeMessages{})
	c := anthropicClient(srv.URL)
	ctx := context.Background()
	p := anthropic.MessageNewParams{Model: "m1", MaxTokens: 100, Messages: userTurn("hi"),
		Tools: []anthropic.ToolUnionParam{{OfWebSearchTool20250305: &anthropic.WebSearchTool20250305Param{}}}}
	msg, err := c.Messages.New(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, b := range msg.Content {
		types = append(types, string(b.Type))
	}
	if strings.Join(types, " ") != "thinking redacted_thinking text tool_use" || msg.Content[0].Signature != "sig-n" ||
		msg.Content[1].Data != "opaque" || msg.Content[2].Text != "native answer" || string(msg.Content[3].Input) != `{"q":"x"}` ||
		msg.StopReason != anthropic.StopReasonToolUse || msg.Usage.OutputTokens != 5 || msg.ID != "msg_native" {
		t.Errorf("message %s", msg.RawJSON())
	}
	got := accumulateMessage(t, c.Messages.NewStreaming(ctx, p))
	if !sameJSON(t, got.RawJSON(), msg.RawJSON()) {
		t.Errorf("stream %s\nmessage %s", got.RawJSON(), msg.RawJSON())
	}
	// An upstream's error event: the HTTP answer before any output...
	fail := anthropic.MessageNewParams{Model: "m1", MaxTokens: 100, Messages: userTurn("fail-native")}
	_, err = c.Messages.New(ctx, fail)
	var apiErr *anthropic.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 529 || apiErr.Type() != "overloaded_error" || apiErr.Message != "Upstream overloaded" {
		t.Errorf("err = %v", err)
	}
	// ... and in-band once the stream began.
	stream := c.Messages.NewStreaming(ctx, fail)
	n := 0
	for stream.Next() {
		n++
	}
	if !errors.As(stream.Err(), &apiErr) || apiErr.Type() != "overloaded_error" || n != 1 {
		t.Errorf("stream err = %v after %d events", stream.Err(), n)
	}
}
