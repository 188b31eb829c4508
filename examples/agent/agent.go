package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/shared"
)

// Agent answers questions with an LLM in a loop: the model may call the
// get_weather tool, the agent runs it and sends the result back, until the
// model answers in text. Each turn is streamed; the SDK retries 429s and
// 5xx before a stream starts, and the agent retries a turn once when the
// stream breaks midway.
type Agent struct {
	client   *openai.Client
	model    string
	maxTurns int
	weather  func(ctx context.Context, city string) (string, error)
}

// ErrTooManyTurns is returned when the model keeps calling tools.
var ErrTooManyTurns = errors.New("agent: the model did not answer within the turn limit")

const systemPrompt = "You answer questions about the weather. Use get_weather for current conditions."

var weatherTool = openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
	Name:        "get_weather",
	Description: openai.String("Current weather in a city."),
	Parameters: shared.FunctionParameters{
		"type":                 "object",
		"properties":           map[string]any{"city": map[string]any{"type": "string"}},
		"required":             []string{"city"},
		"additionalProperties": false,
	},
	Strict: openai.Bool(true),
})

// Ask runs the agent loop for one question.
func (a *Agent) Ask(ctx context.Context, question string) (string, error) {
	messages := []openai.ChatCompletionMessageParamUnion{openai.SystemMessage(systemPrompt), openai.UserMessage(question)}
	for turn := 0; turn < a.maxTurns; turn++ {
		msg, err := a.complete(ctx, messages)
		if err != nil {
			return "", err
		}
		if len(msg.ToolCalls) == 0 {
			return msg.Content, nil
		}
		messages = append(messages, msg.ToParam())
		for _, call := range msg.ToolCalls {
			messages = append(messages, openai.ToolMessage(a.runTool(ctx, call), call.ID))
		}
	}
	return "", ErrTooManyTurns
}

// complete streams one turn, retrying once if the stream breaks after it
// started (the SDK cannot retry that by itself).
func (a *Agent) complete(ctx context.Context, messages []openai.ChatCompletionMessageParamUnion) (*openai.ChatCompletionMessage, error) {
	params := openai.ChatCompletionNewParams{
		Model:         a.model,
		Messages:      messages,
		Tools:         []openai.ChatCompletionToolUnionParam{weatherTool},
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	}
	for attempt := 1; ; attempt++ {
		stream := a.client.Chat.Completions.NewStreaming(ctx, params)
		var acc openai.ChatCompletionAccumulator
		for stream.Next() {
			acc.AddChunk(stream.Current())
		}
		err := stream.Err()
		_ = stream.Close()
		var apiErr *openai.Error
		switch {
		case err == nil && len(acc.Choices) > 0:
			return &acc.Choices[0].Message, nil
		case err == nil:
			return nil, errors.New("agent: the model sent no choice")
		case attempt == 2 || ctx.Err() != nil || errors.As(err, &apiErr):
			return nil, fmt.Errorf("agent: %w", err)
		}
	}
}

// runTool runs a tool call and returns what to tell the model.
func (a *Agent) runTool(ctx context.Context, call openai.ChatCompletionMessageToolCallUnion) string {
	if call.Function.Name != "get_weather" {
		return fmt.Sprintf("error: unknown tool %q", call.Function.Name)
	}
	var args struct {
		City string `json:"city"`
	}
	if err := json.Unmarshal([]byte(call.Function.Arguments), &args); err != nil {
		return "error: invalid arguments: " + err.Error()
	}
	report, err := a.weather(ctx, args.City)
	if err != nil {
		return "error: " + err.Error()
	}
	return report
}
