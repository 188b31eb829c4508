package oaitest_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/internal/handlertest"
	"github.com/oaicompat/oaicompat/oaitest"
)

var weatherTool = openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
	Name: "get_weather",
	Parameters: shared.FunctionParameters{
		"type":                 "object",
		"properties":           map[string]any{"city": map[string]any{"type": "string"}, "unit": map[string]any{"enum": []any{"c", "f"}}},
		"required":             []any{"city", "unit"},
		"additionalProperties": false,
	},
	Strict: openai.Bool(true),
})

var answerSchema = map[string]any{
	"type": "object",
	"properties": map[string]any{
		"answer":     map[string]any{"type": "string"},
		"confidence": map[string]any{"type": "number", "minimum": 0, "maximum": 1},
		"tags":       map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
	},
	"required":             []any{"answer", "confidence", "tags"},
	"additionalProperties": false,
}

// replyCase is a reply kind and what openai-go must decode from it.
type replyCase struct {
	name    string
	reply   *oaitest.Reply
	params  func(p *openai.ChatCompletionNewParams)
	check   func(t *testing.T, c *openai.ChatCompletion)
	content string
	refusal string
	calls   []oaitest.ToolCall // IDs ignored when empty
	finish  string
}

var replyCases = []replyCase{
	{name: "text", reply: oaitest.Text("Hello, wörld! 👋 How are you?"), content: "Hello, wörld! 👋 How are you?", finish: "stop"},
	{name: "refusal", reply: oaitest.Refusal("I can't help with that."), refusal: "I can't help with that.", finish: "stop"},
	{name: "tool call", reply: oaitest.ToolCalls(oaitest.Call("get_weather", `{"city":"Paris","unit":"c"}`)),
		calls: []oaitest.ToolCall{{ID: "call_oaitest-000001", Name: "get_weather", Arguments: `{"city":"Paris","unit":"c"}`}}, finish: "tool_calls"},
	{name: "parallel tool calls", reply: oaitest.ToolCalls(
		oaitest.ToolCall{ID: "call_a", Name: "get_weather", Arguments: `{"city":"Paris","unit":"c"}`},
		oaitest.ToolCall{ID: "call_b", Name: "get_weather", Arguments: `{"city":"Tōkyō","unit":"f"}`}),
		calls: []oaitest.ToolCall{{ID: "call_a", Name: "get_weather", Arguments: `{"city":"Paris","unit":"c"}`},
			{ID: "call_b", Name: "get_weather", Arguments: `{"city":"Tōkyō","unit":"f"}`}}, finish: "tool_calls"},
	{name: "json", reply: oaitest.JSON(map[string]any{"answer": "42", "confidence": 0.9, "tags": []string{"x"}}),
		content: `{"answer":"42","confidence":0.9,"tags":["x"]}`, finish: "stop"},
	{name: "finish length with usage", reply: oaitest.Text("Once upon a").Finish("length").Usage(100, 3),
		content: "Once upon a", finish: "length",
		check: func(t *testing.T, c *openai.ChatCompletion) {
			if c.Usage.PromptTokens != 100 || c.Usage.CompletionTokens != 3 || c.Usage.TotalTokens != 103 {
				t.Errorf("usage = %+v, want 100/3/103", c.Usage)
			}
		}},
	{name: "generated json_schema", reply: oaitest.Auto(), finish: "stop",
		params: func(p *openai.ChatCompletionNewParams) {
			p.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
				JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: "answer", Schema: answerSchema, Strict: openai.Bool(true)}}}
		},
		check: func(t *testing.T, c *openai.ChatCompletion) {
			handlertest.Validate(t, answerSchema, c.Choices[0].Message.Content)
		}},
	{name: "generated forced tool call", reply: oaitest.Auto(), finish: "tool_calls",
		params: func(p *openai.ChatCompletionNewParams) {
			p.Tools = []openai.ChatCompletionToolUnionParam{weatherTool}
			p.ToolChoice = openai.ToolChoiceOptionFunctionToolChoice(openai.ChatCompletionNamedToolChoiceFunctionParam{Name: "get_weather"})
		},
		check: func(t *testing.T, c *openai.ChatCompletion) {
			calls := c.Choices[0].Message.ToolCalls
			if len(calls) != 1 || calls[0].Function.Name != "get_weather" {
				t.Fatalf("tool calls = %+v", calls)
			}
			handlertest.Validate(t, weatherTool.GetFunction().Parameters, calls[0].Function.Arguments)
		}},
}

func chatParams(c replyCase) openai.ChatCompletionNewParams {
	p := openai.ChatCompletionNewParams{
		Model:    "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("Be brief."), openai.UserMessage("Hi there")},
	}
	if c.params != nil {
		c.params(&p)
	}
	return p
}

// TestContractOpenAIGo runs every reply kind through openai-go, streamed
// (assembled by its ChatCompletionAccumulator) and not, and checks that
// both give the same completion.
func TestContractOpenAIGo(t *testing.T) {
	t.Parallel()
	for _, tc := range replyCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mock := oaitest.NewServer(t)
			mock.On(oaitest.Chat().Stream(false)).Reply(tc.reply)
			mock.On(oaitest.Chat().Stream(true)).Reply(tc.reply)
			client := newOpenAI(mock)
			ctx := context.Background()

			plain, err := client.Chat.Completions.New(ctx, chatParams(tc))
			if err != nil {
				t.Fatal(err)
			}
			p := chatParams(tc)
			p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
			stream := client.Chat.Completions.NewStreaming(ctx, p)
			var acc openai.ChatCompletionAccumulator
			chunks := 0
			for stream.Next() {
				if !acc.AddChunk(stream.Current()) {
					t.Fatalf("accumulator rejected chunk %d: %s", chunks, stream.Current().RawJSON())
				}
				chunks++
			}
			if err := stream.Err(); err != nil {
				t.Fatal(err)
			}
			for _, got := range []*openai.ChatCompletion{plain, &acc.ChatCompletion} {
				checkCompletion(t, tc, got)
			}
			if chunks < 3 {
				t.Errorf("stream had %d chunks, want the reply split into tokens", chunks)
			}
			if pu, su := plain.Usage, acc.Usage; pu.PromptTokens != su.PromptTokens || pu.CompletionTokens != su.CompletionTokens || pu.TotalTokens != su.TotalTokens {
				t.Errorf("usage: plain %+v, streamed %+v", plain.Usage, acc.Usage)
			}
			if tc.content != "" && plain.Usage.CompletionTokens == 0 {
				t.Errorf("no completion tokens counted")
			}
		})
	}
}

func checkCompletion(t *testing.T, tc replyCase, c *openai.ChatCompletion) {
	t.Helper()
	if len(c.Choices) != 1 {
		t.Fatalf("%d choices", len(c.Choices))
	}
	msg := c.Choices[0].Message
	if tc.check == nil || tc.content != "" {
		if msg.Content != tc.content {
			t.Errorf("content = %q, want %q", msg.Content, tc.content)
		}
	}
	if msg.Refusal != tc.refusal {
		t.Errorf("refusal = %q, want %q", msg.Refusal, tc.refusal)
	}
	if got := c.Choices[0].FinishReason; got != tc.finish {
		t.Errorf("finish_reason = %q, want %q", got, tc.finish)
	}
	if tc.check == nil || tc.calls != nil {
		if len(msg.ToolCalls) != len(tc.calls) {
			t.Fatalf("tool calls = %+v, want %+v", msg.ToolCalls, tc.calls)
		}
		for i, want := range tc.calls {
			got := msg.ToolCalls[i]
			if got.Function.Name != want.Name || got.Function.Arguments != want.Arguments || got.Type != "function" {
				t.Errorf("tool call %d = %+v, want %+v", i, got, want)
			}
			if want.ID != "" && got.ID != want.ID && !(want.ID == "call_oaitest-000001" && got.ID == "call_oaitest-000002") {
				t.Errorf("tool call %d id = %q, want %q", i, got.ID, want.ID)
			}
		}
	}
	if tc.check != nil {
		tc.check(t, c)
	}
}

// TestContractOpenAIGoErrors checks that every HTTP error reaches openai-go
// as an *openai.Error with OpenAI's status, type and code, unretried.
func TestContractOpenAIGoErrors(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404, 409, 422, 429, 500, 502, 503} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			mock := oaitest.NewServer(t)
			mock.On(nil).Reply(oaitest.Error(status, ""))
			client := newOpenAI(mock)
			_, err := client.Chat.Completions.New(context.Background(), chatParams(replyCase{}))
			var apiErr *openai.Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *openai.Error", err)
			}
			if apiErr.StatusCode != status || apiErr.Message == "" || apiErr.Type == "" {
				t.Errorf("error = %d %q %q", apiErr.StatusCode, apiErr.Type, apiErr.Message)
			}
			wantType := map[int]string{401: "invalid_request_error", 403: "request_forbidden", 429: "requests", 500: "server_error", 503: "server_error"}[status]
			if wantType != "" && apiErr.Type != wantType {
				t.Errorf("type = %q, want %q", apiErr.Type, wantType)
			}
			var body map[string]any
			if err := json.Unmarshal([]byte(apiErr.RawJSON()), &body); err != nil {
				t.Fatalf("error body %q: %v", apiErr.RawJSON(), err)
			}
			for _, k := range []string{"message", "type", "param", "code"} {
				if _, ok := body[k]; !ok {
					t.Errorf("error body %s lacks %q", apiErr.RawJSON(), k)
				}
			}
			if n := len(mock.Requests()); n != 1 {
				t.Errorf("%d requests, want 1 (no retries configured)", n)
			}
		})
	}
}

func embeddingParams(input string) openai.EmbeddingNewParams {
	return openai.EmbeddingNewParams{Model: openai.EmbeddingModelTextEmbedding3Small,
		Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String(input)}}
}

// TestImagesAndModels checks the image and model-list replies through
// openai-go: default one-pixel PNGs and explicit ones, the default model
// list and a rule's.
func TestImagesAndModels(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t)
	mock.On(oaitest.Images()).Reply(oaitest.Auto(), oaitest.Pictures(oaicompat.Image{URL: "https://img.example/cat.png", RevisedPrompt: "a cat"}))
	client := newOpenAI(mock)
	ctx := context.Background()

	imgs, err := client.Images.Generate(ctx, openai.ImageGenerateParams{Prompt: "a cat", N: openai.Int(2),
		ResponseFormat: openai.ImageGenerateParamsResponseFormatB64JSON})
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs.Data) != 2 {
		t.Fatalf("%d images, want 2", len(imgs.Data))
	}
	raw, err := base64.StdEncoding.DecodeString(imgs.Data[0].B64JSON)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(raw)); err != nil {
		t.Errorf("default image is not a PNG: %v", err)
	}
	imgs, err = client.Images.Generate(ctx, openai.ImageGenerateParams{Prompt: "a cat"})
	if err != nil {
		t.Fatal(err)
	}
	if imgs.Data[0].URL != "https://img.example/cat.png" || imgs.Data[0].RevisedPrompt != "a cat" {
		t.Errorf("image = %+v", imgs.Data[0])
	}

	page, err := client.Models.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Data) != 4 || page.Data[0].ID != "gpt-4o" {
		t.Errorf("default models = %+v", page.Data)
	}
	mock.On(oaitest.Models()).Reply(oaitest.ModelList("my-model"))
	page, err = client.Models.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Data) != 1 || page.Data[0].ID != "my-model" {
		t.Errorf("rule's models = %+v", page.Data)
	}
}

// TestResponsesAPI: the handler serves the Responses API from the same
// Backend, so chat rules answer it too; API tells the dialects apart.
func TestResponsesAPI(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t)
	mock.On(oaitest.Chat().API("responses").LastUser(oaitest.Contains("hello"))).Reply(oaitest.Text("Hi from the Responses API")).Times(2)
	client := newOpenAI(mock)
	params := responses.ResponseNewParams{Model: "gpt-4o-mini", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hello there")}}
	resp, err := client.Responses.New(context.Background(), params)
	if err != nil {
		t.Fatal(err)
	}
	if resp.OutputText() != "Hi from the Responses API" {
		t.Errorf("output %q", resp.OutputText())
	}
	stream := client.Responses.NewStreaming(context.Background(), params)
	var text string
	for stream.Next() {
		if e, ok := stream.Current().AsAny().(responses.ResponseTextDeltaEvent); ok {
			text += e.Delta
		}
	}
	if stream.Err() != nil || text != "Hi from the Responses API" {
		t.Errorf("streamed %q, %v", text, stream.Err())
	}
	if r := mock.LastRequest(); r.API != "responses" || r.Endpoint != oaitest.EndpointChat || r.Path != "/v1/responses" {
		t.Errorf("journal: api %q endpoint %q path %q", r.API, r.Endpoint, r.Path)
	}
}

// TestResponsesStoredPerKey: a response stored under one API key is, to
// another key, an unknown id; the journal records both keys' requests.
func TestResponsesStoredPerKey(t *testing.T) {
	t.Parallel()
	var reports []string // the mock reports every rejected request
	mock := oaitest.NewServer(t, oaitest.WithReporter(func(msg string) { reports = append(reports, msg) }))
	mock.On(oaitest.Chat().API("responses")).Reply(oaitest.Text("stored")).AnyTimes()
	ctx := context.Background()
	alice, bob := newOpenAI(mock, option.WithAPIKey("sk-alice")), newOpenAI(mock, option.WithAPIKey("sk-bob"))
	resp, err := alice.Responses.New(ctx, responses.ResponseNewParams{Model: "gpt-4o-mini",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("remember this")}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := alice.Responses.Get(ctx, resp.ID, responses.ResponseGetParams{}); err != nil || got.OutputText() != "stored" {
		t.Errorf("the owner's GET: %v", err)
	}
	var apiErr *openai.Error
	if _, err := bob.Responses.Get(ctx, resp.ID, responses.ResponseGetParams{}); !errors.As(err, &apiErr) || apiErr.StatusCode != 404 {
		t.Errorf("another key's GET: %v", err)
	}
	if err := bob.Responses.Delete(ctx, resp.ID); !errors.As(err, &apiErr) || apiErr.StatusCode != 404 {
		t.Errorf("another key's DELETE: %v", err)
	}
	_, err = bob.Responses.New(ctx, responses.ResponseNewParams{Model: "gpt-4o-mini", PreviousResponseID: openai.String(resp.ID),
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("what was it?")}})
	if !errors.As(err, &apiErr) || apiErr.Code != "previous_response_not_found" {
		t.Errorf("another key's previous_response_id: %v", err)
	}
	if _, err := alice.Responses.New(ctx, responses.ResponseNewParams{Model: "gpt-4o-mini", PreviousResponseID: openai.String(resp.ID),
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("what was it?")}}); err != nil {
		t.Errorf("the owner chains: %v", err)
	}
	journal := mock.Requests()
	if len(journal) != 6 || journal[2].Status != 404 || journal[3].Status != 404 || journal[4].Status != 400 || journal[5].Status != 200 {
		t.Errorf("journal holds %d requests", len(journal))
	}
	want := []string{"#3 GET /v1/responses/" + resp.ID + " was rejected with 404",
		"#4 DELETE /v1/responses/" + resp.ID + " was rejected with 404",
		"#5 POST /v1/responses was rejected with 400: previous_response_id"}
	if len(reports) != len(want) {
		t.Fatalf("reports: %q", reports)
	}
	for i, w := range want {
		if !strings.Contains(reports[i], w) {
			t.Errorf("report %d: %q, want %q", i, reports[i], w)
		}
	}
}
