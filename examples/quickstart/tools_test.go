package main

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"
)

// tool is a function tool for openai-go.
func tool(name, description, params string) openai.ChatCompletionToolUnionParam {
	var p shared.FunctionParameters
	if err := json.Unmarshal([]byte(params), &p); err != nil {
		panic(err)
	}
	return openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{Name: name, Description: openai.String(description), Parameters: p})
}

var (
	weatherTool = tool("get_weather", "Get the current weather in a city",
		`{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city","unit"],"additionalProperties":false}`)
	stockTool = tool("get_stock_price", "Look up the latest price of a stock",
		`{"type":"object","properties":{"symbol":{"type":"string"}},"required":["symbol"]}`)
	tableTool = tool("book_table", "Book a restaurant table",
		`{"type":"object","properties":{"restaurant":{"type":"string"},"people":{"type":"integer","minimum":1,"maximum":12},"date":{"type":"string","format":"date"}},"required":["restaurant","people","date"]}`)
	searchTool = tool("search_web", "Search the web",
		`{"type":"object","properties":{"query":{"type":"string"}},"required":["query"]}`)
)

// TestDemoToolChoiceAuto: under tool_choice auto the demo calls the tool
// the message is about, with arguments from the message, and answers in
// text when no tool fits or tool_choice is none.
func TestDemoToolChoiceAuto(t *testing.T) {
	_, c := startDemo(t)
	all := []openai.ChatCompletionToolUnionParam{weatherTool, stockTool, tableTool, searchTool}
	for _, tc := range []struct {
		message, choice, wantTool, wantArgs, wantText string
	}{
		{message: "What's the weather in Paris?", wantTool: "get_weather", wantArgs: `{"city":"Paris","unit":"celsius"}`},
		{message: "How is the weather in New York, in fahrenheit?", wantTool: "get_weather", wantArgs: `{"city":"New York","unit":"fahrenheit"}`},
		{message: "Please book a table at Chez Marcel for 4 people on 2025-07-14", wantTool: "book_table",
			wantArgs: `{"date":"2025-07-14","people":4,"restaurant":"Chez Marcel"}`},
		{message: "What is the stock price of ACME?", wantTool: "get_stock_price", wantArgs: `{"symbol":"ACME"}`},
		{message: "Search the web for Go generics", wantTool: "search_web", wantArgs: `{"query":"Go generics"}`},
		{message: "What is 2+2?", wantText: "2+2 equals 4."},
		{message: "What's the weather in Paris?", choice: "none", wantText: "You said: What's the weather in Paris?"},
	} {
		p := openai.ChatCompletionNewParams{Model: chatModel, Tools: all, Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(tc.message)}}
		if tc.choice != "" {
			p.ToolChoice = openai.ChatCompletionToolChoiceOptionUnionParam{OfAuto: openai.String(tc.choice)}
		}
		got, err := c.Chat.Completions.New(context.Background(), p)
		if err != nil {
			t.Fatalf("%s: %v", tc.message, err)
		}
		msg := got.Choices[0].Message
		switch {
		case tc.wantTool == "" && (len(msg.ToolCalls) != 0 || msg.Content != tc.wantText):
			t.Errorf("%s: want the text %q, got %q and calls %+v", tc.message, tc.wantText, msg.Content, msg.ToolCalls)
		case tc.wantTool != "" && (len(msg.ToolCalls) != 1 || msg.ToolCalls[0].Function.Name != tc.wantTool || got.Choices[0].FinishReason != "tool_calls"):
			t.Errorf("%s: want a call of %s, got %+v", tc.message, tc.wantTool, got.Choices[0])
		case tc.wantArgs != "" && msg.ToolCalls[0].Function.Arguments != tc.wantArgs:
			t.Errorf("%s: arguments %s, want %s", tc.message, msg.ToolCalls[0].Function.Arguments, tc.wantArgs)
		}
	}
}

// TestDemoAgentLoop runs a whole agent loop through openai-go: the call,
// the tool result, an answer made of it, streamed.
func TestDemoAgentLoop(t *testing.T) {
	_, c := startDemo(t)
	ctx := context.Background()
	p := openai.ChatCompletionNewParams{Model: chatModel, Tools: []openai.ChatCompletionToolUnionParam{weatherTool},
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What's the weather in Paris?")}}
	first, err := c.Chat.Completions.New(ctx, p)
	if err != nil || len(first.Choices[0].Message.ToolCalls) != 1 {
		t.Fatalf("first turn: %v %+v", err, first)
	}
	call := first.Choices[0].Message.ToolCalls[0]
	p.Messages = append(p.Messages, first.Choices[0].Message.ToParam(), openai.ToolMessage(`{"temperature":22,"condition":"sunny"}`, call.ID))
	stream := c.Chat.Completions.NewStreaming(ctx, p)
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if got := acc.Choices[0].Message.Content; got != "Here is what I found. get_weather for Paris: temperature 22, condition sunny." {
		t.Errorf("answer %q", got)
	}
}

// TestDemoStructuredFromTools: a json_schema answer after a tool result
// takes its fields from the result and the question.
func TestDemoStructuredFromTools(t *testing.T) {
	_, c := startDemo(t)
	schema := map[string]any{"type": "object", "additionalProperties": false, "required": []string{"city", "temperature", "summary"},
		"properties": map[string]any{"city": map[string]any{"type": "string"}, "temperature": map[string]any{"type": "number"}, "summary": map[string]any{"type": "string"}}}
	p := openai.ChatCompletionNewParams{Model: chatModel, Messages: []openai.ChatCompletionMessageParamUnion{
		openai.UserMessage("What's the weather in Lyon?"),
		openai.ChatCompletionMessageParamUnion{OfAssistant: &openai.ChatCompletionAssistantMessageParam{ToolCalls: []openai.ChatCompletionMessageToolCallUnionParam{{
			OfFunction: &openai.ChatCompletionMessageFunctionToolCallParam{ID: "call_1", Function: openai.ChatCompletionMessageFunctionToolCallFunctionParam{Name: "get_weather", Arguments: `{"city":"Lyon"}`}}}}}},
		openai.ToolMessage(`{"temperature":19.5}`, "call_1")},
		ResponseFormat: openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
			JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: "weather", Schema: schema, Strict: openai.Bool(true)}}}}
	got, err := c.Chat.Completions.New(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if content := got.Choices[0].Message.Content; content != `{"city":"Lyon","summary":"Here is what I found. get_weather for Lyon: temperature 19.5.","temperature":19.5}` {
		t.Errorf("structured %s", content)
	}
}

func cosine(a, b []float64) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += a[i] * b[i]
		na += a[i] * a[i]
		nb += b[i] * b[i]
	}
	return dot / math.Sqrt(na*nb)
}

// TestDemoEmbeddingsSimilarity: similar texts are closer than unrelated
// ones, at the default size and at 8 dimensions, and "hello world" in 8
// dimensions is no unit axis.
func TestDemoEmbeddingsSimilarity(t *testing.T) {
	_, c := startDemo(t)
	texts := []string{"The cat sat on the mat", "A cat sat on a mat", "Quarterly earnings beat expectations",
		"embedding vectors", "embeddings of vectors", "hello world"}
	for _, dims := range []int64{0, 64, 8} {
		p := openai.EmbeddingNewParams{Model: embedModel, Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: texts}}
		if dims > 0 {
			p.Dimensions = openai.Int(dims)
		}
		res, err := c.Embeddings.New(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		e := func(i int) []float64 { return res.Data[i].Embedding }
		if sim, far := cosine(e(0), e(1)), cosine(e(0), e(2)); sim <= far || (dims != 8 && sim < 0.5) {
			t.Errorf("%d dims: cosine(similar) %.3f, cosine(unrelated) %.3f", dims, sim, far)
		}
		if sim, far := cosine(e(3), e(4)), cosine(e(3), e(2)); sim <= far {
			t.Errorf("%d dims: cosine(shared spelling) %.3f, cosine(unrelated) %.3f", dims, sim, far)
		}
		if dims == 8 {
			nonZero := 0
			for _, x := range e(5) {
				if math.Abs(x) > 1e-6 {
					nonZero++
				}
			}
			if nonZero < 4 {
				t.Errorf(`"hello world" in 8 dimensions: %v`, e(5))
			}
		}
	}
}

// TestThinking: a "Think step by step:" prompt sends its reasoning (chat
// reasoning_content, a Responses reasoning item) before the answer, which is
// the question's.
func TestThinking(t *testing.T) {
	for in, want := range map[string][2]string{
		"Think step by step: What is 6*7?": {"The question asks for 6*7. Multiplying 6 and 7: 6*7 equals 42.", "What is 6*7?"},
		"think STEP by step:tell me more":  {`The question is "tell me more". No rule of mine computes it, so I repeat it.`, "tell me more"},
	} {
		steps, q, ok := thinking(in)
		if !ok || steps != want[0] || q != want[1] {
			t.Errorf("thinking(%q) = %q, %q, %v", in, steps, q, ok)
		}
	}
	if _, q, ok := thinking("What is 6*7?"); ok || q != "What is 6*7?" {
		t.Error("a plain question reasons")
	}
	_, c := startDemo(t)
	const steps = `"The question asks for 6*7. Multiplying 6 and 7: 6*7 equals 42."`
	got, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: chatModel,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Think step by step: What is 6*7?")}})
	if err != nil {
		t.Fatal(err)
	}
	if m := got.Choices[0].Message; m.Content != "6*7 equals 42." || m.JSON.ExtraFields["reasoning_content"].Raw() != steps {
		t.Errorf("chat: %s", m.RawJSON())
	}
	r, err := c.Responses.New(context.Background(), responses.ResponseNewParams{Model: chatModel,
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Think step by step: What is 6*7?")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Output) != 2 || r.Output[0].Type != "reasoning" || len(r.Output[0].Summary) != 1 ||
		`"`+r.Output[0].Summary[0].Text+`"` != steps || r.OutputText() != "6*7 equals 42." {
		t.Errorf("responses: %s", r.RawJSON())
	}
}
