package oaitest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/oaicompat/oaicompat/oaitest"
)

// exampleTB stands in for the *testing.T of a test: it prints failures
// and runs cleanups when the example body returns.
type exampleTB struct {
	testing.TB
	cleanups []func()
}

func (e *exampleTB) Helper()                         {}
func (e *exampleTB) Cleanup(f func())                { e.cleanups = append(e.cleanups, f) }
func (e *exampleTB) Errorf(format string, a ...any)  { fmt.Printf("FAIL: "+format+"\n", a...) }
func (e *exampleTB) Fatalf(format string, a ...any)  { panic(fmt.Sprintf(format, a...)) }
func (e *exampleTB) Logf(format string, args ...any) {}

// asTest runs body as the body of a test function.
func asTest(body func(t testing.TB)) {
	t := &exampleTB{}
	defer func() {
		for i := len(t.cleanups) - 1; i >= 0; i-- {
			t.cleanups[i]()
		}
	}()
	body(t)
}

func ExampleNewServer() {
	asTest(func(t testing.TB) {
		mock := oaitest.NewServer(t)
		mock.On(oaitest.Chat().LastUser(oaitest.Contains("capital of France"))).
			Reply(oaitest.Text("Paris.").Usage(12, 2))

		client := openai.NewClient(option.WithBaseURL(mock.URL()), option.WithAPIKey("test"))
		c, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
			Model:    "gpt-4o-mini",
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What is the capital of France?")},
		})
		if err != nil {
			t.Fatalf("%v", err)
		}
		fmt.Println(c.Choices[0].Message.Content, c.Usage.TotalTokens)
		fmt.Println(mock.LastRequest().Chat.Model)
	})
	// Output:
	// Paris. 14
	// gpt-4o-mini
}

// ExampleMock_Script scripts an agent loop: the model calls a tool, then
// answers with the tool's result; the test then checks what the agent sent.
func ExampleMock_Script() {
	asTest(func(t testing.TB) {
		mock := oaitest.NewServer(t)
		mock.Script(
			oaitest.Turn(oaitest.Chat().LastUser(oaitest.Contains("weather")).HasTool("get_weather"),
				oaitest.ToolCalls(oaitest.ToolCall{ID: "call_1", Name: "get_weather", Arguments: `{"city":"Paris"}`})),
			oaitest.Turn(oaitest.Chat().ToolResult("call_1"), oaitest.Text("It is 22°C and sunny in Paris.")),
		)

		client := openai.NewClient(option.WithBaseURL(mock.URL()), option.WithAPIKey("test"))
		params := openai.ChatCompletionNewParams{
			Model:    "gpt-4o-mini",
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What's the weather in Paris?")},
			Tools: []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
				Name: "get_weather", Parameters: shared.FunctionParameters{"type": "object"}})},
		}
		for {
			c, err := client.Chat.Completions.New(context.Background(), params)
			if err != nil {
				t.Fatalf("%v", err)
			}
			msg := c.Choices[0].Message
			if len(msg.ToolCalls) == 0 {
				fmt.Println(msg.Content)
				break
			}
			params.Messages = append(params.Messages, msg.ToParam())
			for _, call := range msg.ToolCalls {
				fmt.Println("calling", call.Function.Name, call.Function.Arguments)
				params.Messages = append(params.Messages, openai.ToolMessage("22°C, sunny", call.ID))
			}
		}
		oaitest.AssertRoles(t, mock.LastRequest(), "user", "assistant", "tool")
		oaitest.AssertToolResult(t, mock.LastRequest(), "get_weather", oaitest.Contains("22°C"))
	})
	// Output:
	// calling get_weather {"city":"Paris"}
	// It is 22°C and sunny in Paris.
}
