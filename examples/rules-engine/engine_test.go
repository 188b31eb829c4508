package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"
)

func newClient(t *testing.T) openai.Client {
	t.Helper()
	srv := httptest.NewServer(newHandler())
	t.Cleanup(srv.Close)
	return openai.NewClient(option.WithBaseURL(srv.URL+"/v1"), option.WithAPIKey("test"), option.WithMaxRetries(0))
}

// The client side of the typed tools: the same Go declarations become the
// official client's parameters.

func clientTools() []openai.ChatCompletionToolUnionParam {
	var out []openai.ChatCompletionToolUnionParam
	for _, t := range Tools {
		var params map[string]any
		_ = json.Unmarshal(t.Function.Parameters, &params)
		out = append(out, openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name: t.Function.Name, Description: openai.String(t.Function.Description), Parameters: params, Strict: openai.Bool(true)}))
	}
	return out
}

func answerFormat() openai.ChatCompletionNewParamsResponseFormatUnion {
	js := AnswerFormat.JSONSchema
	return openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
		JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: js.Name, Schema: js.Schema, Strict: openai.Bool(true)}}}
}

// execute runs a tool call on the client's side, as an application would.
func execute(t *testing.T, call openai.ChatCompletionMessageToolCallUnion) string {
	t.Helper()
	var result any
	switch call.Function.Name {
	case convertTool:
		args, err := oaicompat.Decode[ConvertUnits](call.Function.Arguments)
		if err != nil {
			t.Fatalf("arguments of %s: %v", call.Function.Name, err)
		}
		if result, err = Convert(args); err != nil {
			return err.Error()
		}
	case orderTool:
		args, err := oaicompat.Decode[OrderStatus](call.Function.Arguments)
		if err != nil {
			t.Fatalf("arguments of %s: %v", call.Function.Name, err)
		}
		result = LookupOrder(args)
	default:
		t.Fatalf("call of unknown tool %q", call.Function.Name)
	}
	b, _ := json.Marshal(result)
	return string(b)
}

// A strict json_schema request gets an Answer that decodes and validates.
func TestStructuredReply(t *testing.T) {
	client := newClient(t)
	for _, stream := range []bool{false, true} {
		p := openai.ChatCompletionNewParams{Model: model, ResponseFormat: answerFormat(),
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Convert 10 km to mi, and 2 lb in kg.")}}
		content := complete(t, client, p, stream).Choices[0].Message.Content
		a, err := oaicompat.Decode[Answer](content)
		if err != nil {
			t.Fatalf("stream %v: %v in %s", stream, err, content)
		}
		want := []Conversion{{Value: 10, From: "km", Result: 6.2137, To: "mi"}, {Value: 2, From: "lb", Result: 0.9072, To: "kg"}}
		if len(a.Conversions) != 2 || a.Conversions[0] != want[0] || a.Conversions[1] != want[1] || len(a.Orders) != 0 {
			t.Errorf("stream %v: answer %+v, want conversions %+v", stream, a, want)
		}
		if a.Summary != "10 km is 6.2137 mi. 2 lb is 0.9072 kg." {
			t.Errorf("summary %q", a.Summary)
		}
	}
}

// complete sends p, streamed (accumulated with the SDK's accumulator) or not.
func complete(t *testing.T, client openai.Client, p openai.ChatCompletionNewParams, stream bool) *openai.ChatCompletion {
	t.Helper()
	if !stream {
		c, err := client.Chat.Completions.New(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	s := client.Chat.Completions.NewStreaming(context.Background(), p)
	defer s.Close()
	var acc openai.ChatCompletionAccumulator
	for s.Next() {
		acc.AddChunk(s.Current())
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return &acc.ChatCompletion
}

// The parallel tool-call round trip: two calls in one turn, run by the
// client, their results sent back, and a structured answer built from them.
func TestParallelToolRoundTrip(t *testing.T) {
	client := newClient(t)
	for _, stream := range []bool{false, true} {
		msgs := []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Convert 5 mi to km and where is order AB-1234?")}
		first := complete(t, client, openai.ChatCompletionNewParams{Model: model, Messages: msgs, Tools: clientTools()}, stream)
		choice := first.Choices[0]
		calls := choice.Message.ToolCalls
		if choice.FinishReason != "tool_calls" || len(calls) != 2 || calls[0].Function.Name != convertTool || calls[1].Function.Name != orderTool {
			t.Fatalf("stream %v: finish %q calls %+v, want convert_units and order_status", stream, choice.FinishReason, calls)
		}
		if calls[0].ID == "" || calls[0].ID == calls[1].ID {
			t.Errorf("call ids %q %q, want two distinct ids", calls[0].ID, calls[1].ID)
		}
		msgs = append(msgs, choice.Message.ToParam())
		for _, c := range calls {
			msgs = append(msgs, openai.ToolMessage(execute(t, c), c.ID))
		}
		second := complete(t, client, openai.ChatCompletionNewParams{Model: model, Messages: msgs, Tools: clientTools(), ResponseFormat: answerFormat()}, stream)
		a, err := oaicompat.Decode[Answer](second.Choices[0].Message.Content)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Conversions) != 1 || a.Conversions[0].Result != 8.0467 || len(a.Orders) != 1 || a.Orders[0].Status != "shipped" || *a.Orders[0].ETA != "2025-03-14" {
			t.Errorf("stream %v: answer %+v", stream, a)
		}
		if a.Summary != "5 mi is 8.0467 km. Order AB-1234 is shipped, expected on 2025-03-14." {
			t.Errorf("summary %q", a.Summary)
		}
	}
}

// The engine honours tool_choice and parallel_tool_calls.
func TestToolChoice(t *testing.T) {
	client := newClient(t)
	ask := []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Convert 3 ft to m and where is order CD-5678?")}
	cases := []struct {
		name  string
		set   func(*openai.ChatCompletionNewParams)
		calls []string
		text  string
	}{
		{"one call at a time", func(p *openai.ChatCompletionNewParams) { p.ParallelToolCalls = openai.Bool(false) }, []string{convertTool}, ""},
		{"forced", func(p *openai.ChatCompletionNewParams) {
			p.ToolChoice = openai.ToolChoiceOptionFunctionToolChoice(openai.ChatCompletionNamedToolChoiceFunctionParam{Name: orderTool})
		}, []string{orderTool}, ""},
		{"none: the engine runs the tools itself", func(p *openai.ChatCompletionNewParams) {
			p.ToolChoice = openai.ChatCompletionToolChoiceOptionUnionParam{OfAuto: openai.String("none")}
		}, nil, "3 ft is 0.9144 m. Order CD-5678 is processing, expected on 2025-03-20."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := openai.ChatCompletionNewParams{Model: model, Messages: ask, Tools: clientTools()}
			c.set(&p)
			got := complete(t, client, p, false).Choices[0].Message
			var names []string
			for _, tc := range got.ToolCalls {
				names = append(names, tc.Function.Name)
			}
			if strings.Join(names, ",") != strings.Join(c.calls, ",") || got.Content != c.text {
				t.Errorf("calls %v content %q, want %v %q", names, got.Content, c.calls, c.text)
			}
		})
	}
}

// Asked for a schema other than Answer's, the engine's reply does not fit,
// and the handler says so instead of sending it.
func TestForeignSchemaIsRefused(t *testing.T) {
	client := newClient(t)
	_, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: model,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Convert 1 km to m")},
		ResponseFormat: openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
			JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: "number", Strict: openai.Bool(true),
				Schema: json.RawMessage(`{"type":"object","properties":{"meters":{"type":"number"}},"required":["meters"],"additionalProperties":false}`)}}}})
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 || apiErr.Type != "model_error" ||
		!strings.Contains(apiErr.Message, "does not match the json_schema 'number'") {
		t.Fatalf("err = %v, want a 500 model_error about the schema", err)
	}
}
