package oaicompat_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"

	"github.com/oaicompat/oaicompat"
)

// These tests drive POST /v1/responses with the official openai-go client
// against a Backend that implements only Chat.

func goClient(url string, opts ...option.RequestOption) *openai.Client {
	c := openai.NewClient(append([]option.RequestOption{option.WithBaseURL(url + "/v1/"), option.WithAPIKey("test"), option.WithMaxRetries(0)}, opts...)...)
	return &c
}

func TestResponsesCreateWithOpenAIGo(t *testing.T) {
	be := &dialectBackend{}
	srv := serveDialects(t, be)
	client := goClient(srv.URL)
	resp, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model:           "m1",
		Input:           responses.ResponseNewParamsInputUnion{OfString: openai.String("hello there")},
		Instructions:    openai.String("be brief"),
		MaxOutputTokens: openai.Int(100),
		Temperature:     openai.Float(0.5),
		Metadata:        map[string]string{"k": "v"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.OutputText(); got != "You said: hello there" {
		t.Errorf("OutputText = %q", got)
	}
	if resp.Status != responses.ResponseStatusCompleted || resp.Object != "response" || !strings.HasPrefix(resp.ID, "resp_") {
		t.Errorf("status %q object %q id %q", resp.Status, resp.Object, resp.ID)
	}
	if resp.Usage.InputTokens != 20 || resp.Usage.OutputTokens != 5 || resp.Usage.TotalTokens != 25 {
		t.Errorf("usage = %+v", resp.Usage)
	}
	if resp.Temperature != 0.5 || resp.Metadata["k"] != "v" || resp.Instructions.OfString != "be brief" {
		t.Errorf("echo: temperature %v metadata %v instructions %q", resp.Temperature, resp.Metadata, resp.Instructions.OfString)
	}
	msg := resp.Output[0].AsMessage()
	if !strings.HasPrefix(msg.ID, "msg_") || msg.Role != "assistant" || msg.Content[0].Type != "output_text" {
		t.Errorf("output item = %+v", msg)
	}
	// What the chat backend saw.
	got := be.LastRequest()
	if got.Messages[0].Role != "system" || got.Messages[0].Content.Text() != "be brief" ||
		got.Messages[1].Role != "user" || got.Messages[1].Content.Text() != "hello there" {
		t.Errorf("chat messages = %+v", got.Messages)
	}
	if n, ok := got.TokenLimit(); !ok || n != 100 || *got.Temperature != 0.5 || got.Metadata["k"] != "v" {
		t.Errorf("chat limits: %d %v %v %v", n, ok, got.Temperature, got.Metadata)
	}
}

func TestResponsesStreamWithOpenAIGo(t *testing.T) {
	srv := serveDialects(t, &dialectBackend{})
	client := goClient(srv.URL)
	stream := client.Responses.NewStreaming(context.Background(), responses.ResponseNewParams{
		Model: "m1",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("stream me please")},
	})
	var types []string
	var text strings.Builder
	var final responses.Response
	seq := int64(0)
	for stream.Next() {
		ev := stream.Current()
		types = append(types, ev.Type)
		if ev.SequenceNumber != seq {
			t.Errorf("event %d (%s) has sequence_number %d", seq, ev.Type, ev.SequenceNumber)
		}
		seq++
		switch e := ev.AsAny().(type) {
		case responses.ResponseTextDeltaEvent:
			text.WriteString(e.Delta)
		case responses.ResponseTextDoneEvent:
			if e.Text != "You said: stream me please" {
				t.Errorf("output_text.done text = %q", e.Text)
			}
		case responses.ResponseCompletedEvent:
			final = e.Response
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
		"response.output_text.delta", "response.output_text.delta", "response.output_text.delta", "response.output_text.delta",
		"response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"}
	if strings.Join(types, " ") != strings.Join(want, " ") {
		t.Errorf("events:\n got %v\nwant %v", types, want)
	}
	if text.String() != "You said: stream me please" || final.OutputText() != text.String() || final.Status != "completed" {
		t.Errorf("deltas %q, final %q (%s)", text.String(), final.OutputText(), final.Status)
	}
}

func TestResponsesFunctionCallingRoundTrip(t *testing.T) {
	be := &dialectBackend{}
	srv := serveDialects(t, be)
	client := goClient(srv.URL)
	ctx := context.Background()
	tools := []responses.ToolUnionParam{{OfFunction: &responses.FunctionToolParam{
		Name: "get_weather",
		Parameters: map[string]any{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}},
			"required": []string{"city"}, "additionalProperties": false},
		Strict: openai.Bool(true),
	}}}
	for _, streamed := range []bool{false, true} {
		params := responses.ResponseNewParams{
			Model: "m1", Tools: tools,
			Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("weather in Paris?")},
		}
		var first *responses.Response
		if streamed {
			stream := client.Responses.NewStreaming(ctx, params)
			var args strings.Builder
			for stream.Next() {
				switch e := stream.Current().AsAny().(type) {
				case responses.ResponseFunctionCallArgumentsDeltaEvent:
					args.WriteString(e.Delta)
				case responses.ResponseFunctionCallArgumentsDoneEvent:
					if e.Arguments != args.String() || !strings.Contains(e.RawJSON(), `"name":"get_weather"`) {
						t.Errorf("arguments.done = %s, deltas %q", e.RawJSON(), args.String())
					}
				case responses.ResponseCompletedEvent:
					r := e.Response
					first = &r
				}
			}
			if err := stream.Err(); err != nil {
				t.Fatal(err)
			}
		} else {
			var err error
			if first, err = client.Responses.New(ctx, params); err != nil {
				t.Fatal(err)
			}
		}
		if first == nil || len(first.Output) != 1 {
			t.Fatalf("streamed=%v: output = %+v", streamed, first)
		}
		call := first.Output[0].AsFunctionCall()
		if call.Type != "function_call" || call.Name != "get_weather" || call.Arguments != `{"city":"Paris"}` ||
			!strings.HasPrefix(call.CallID, "call_") || !strings.HasPrefix(call.ID, "fc_") {
			t.Fatalf("function call = %+v", call)
		}
		if first.Tools[0].Name != "get_weather" {
			t.Errorf("tools echo = %+v", first.Tools)
		}
		out := responses.ResponseInputItemParamOfFunctionCallOutput("22C and sunny")
		out.OfFunctionCallOutput.CallID = openai.String(call.CallID)
		second, err := client.Responses.New(ctx, responses.ResponseNewParams{
			Model: "m1", Tools: tools, PreviousResponseID: openai.String(first.ID),
			Input: responses.ResponseNewParamsInputUnion{OfInputItemList: responses.ResponseInputParam{out}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if second.OutputText() != "The weather: 22C and sunny" || second.PreviousResponseID != first.ID {
			t.Errorf("second turn: %q (previous %q)", second.OutputText(), second.PreviousResponseID)
		}
		// The chat backend saw the whole conversation.
		msgs := be.LastRequest().Messages
		if len(msgs) != 3 || msgs[0].Role != "user" || msgs[1].Role != "assistant" || len(msgs[1].ToolCalls) != 1 ||
			msgs[1].ToolCalls[0].ID != call.CallID || msgs[2].Role != "tool" || msgs[2].ToolCallID != call.CallID {
			t.Errorf("chat history = %+v", msgs)
		}
	}
}

func TestResponsesStructuredOutput(t *testing.T) {
	be := &dialectBackend{}
	srv := serveDialects(t, be)
	resp, err := goClient(srv.URL).Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "m1",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("2+2?")},
		Text: responses.ResponseTextConfigParam{Format: responses.ResponseFormatTextConfigUnionParam{
			OfJSONSchema: &responses.ResponseFormatTextJSONSchemaConfigParam{
				Name: "answer",
				Schema: map[string]any{"type": "object", "properties": map[string]any{"answer": map[string]any{"type": "string"}},
					"required": []string{"answer"}, "additionalProperties": false},
				Strict: openai.Bool(true),
			}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Answer string }
	if err := json.Unmarshal([]byte(resp.OutputText()), &v); err != nil || v.Answer != "4" {
		t.Errorf("output %q: %v", resp.OutputText(), err)
	}
	if resp.Text.Format.Type != "json_schema" || resp.Text.Format.Name != "answer" {
		t.Errorf("text echo = %+v", resp.Text.Format)
	}
	rf := be.LastRequest().ResponseFormat
	if rf == nil || rf.Type != "json_schema" || rf.JSONSchema.Name != "answer" || rf.JSONSchema.Strict == nil || !*rf.JSONSchema.Strict ||
		!strings.Contains(string(rf.JSONSchema.Schema), `"answer"`) {
		t.Errorf("chat response_format = %+v", rf)
	}
}

func TestResponsesIncompleteAtMaxOutputTokens(t *testing.T) {
	srv := serveDialects(t, &dialectBackend{})
	client := goClient(srv.URL)
	long := strings.Repeat("word ", 40)
	resp, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "m1", MaxOutputTokens: openai.Int(16),
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String(long)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != "incomplete" || resp.IncompleteDetails.Reason != "max_output_tokens" || resp.Output[0].Status != "incomplete" {
		t.Errorf("status %q details %+v item status %q", resp.Status, resp.IncompleteDetails, resp.Output[0].Status)
	}
	stream := client.Responses.NewStreaming(context.Background(), responses.ResponseNewParams{
		Model: "m1", MaxOutputTokens: openai.Int(16),
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String(long)},
	})
	last := ""
	for stream.Next() {
		last = stream.Current().Type
		if e, ok := stream.Current().AsAny().(responses.ResponseIncompleteEvent); ok && e.Response.IncompleteDetails.Reason != "max_output_tokens" {
			t.Errorf("incomplete details = %+v", e.Response.IncompleteDetails)
		}
	}
	if err := stream.Err(); err != nil || last != "response.incomplete" {
		t.Errorf("last event %q, err %v", last, err)
	}
}

func TestResponsesStoreRetrieveListDelete(t *testing.T) {
	srv := serveDialects(t, &dialectBackend{})
	client := goClient(srv.URL)
	ctx := context.Background()
	msg := responses.ResponseInputItemParamOfMessage("first question", responses.EasyInputMessageRoleUser)
	resp, err := client.Responses.New(ctx, responses.ResponseNewParams{
		Model: "m1", Input: responses.ResponseNewParamsInputUnion{OfInputItemList: responses.ResponseInputParam{
			responses.ResponseInputItemParamOfMessage("be nice", responses.EasyInputMessageRoleDeveloper), msg}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(resp.RawJSON(), `"store":true`) {
		t.Error("store echo is not true")
	}
	got, err := client.Responses.Get(ctx, resp.ID, responses.ResponseGetParams{})
	if err != nil || got.ID != resp.ID || got.OutputText() != resp.OutputText() {
		t.Fatalf("get: %v %+v", err, got)
	}
	items, err := client.Responses.InputItems.List(ctx, resp.ID, responses.InputItemListParams{Order: responses.InputItemListParamsOrderAsc})
	if err != nil {
		t.Fatal(err)
	}
	type listed struct {
		ID, Type, Role, Status string
		Content                []struct{ Type, Text string }
	}
	var li []listed
	for _, it := range items.Data {
		var l listed
		if err := json.Unmarshal([]byte(it.RawJSON()), &l); err != nil {
			t.Fatal(err)
		}
		li = append(li, l)
	}
	if len(li) != 2 || li[0].Role != "developer" || li[1].Role != "user" || li[1].Type != "message" || li[1].Status != "completed" ||
		li[1].Content[0].Type != "input_text" || li[1].Content[0].Text != "first question" || !strings.HasPrefix(li[0].ID, "msg_") {
		t.Errorf("input items = %+v", li)
	}
	page, err := client.Responses.InputItems.List(ctx, resp.ID, responses.InputItemListParams{Limit: openai.Int(1)})
	if err != nil || len(page.Data) != 1 || !page.HasMore || page.Data[0].Role != "user" {
		t.Errorf("desc page of 1: %v %+v", err, page)
	}
	if err := client.Responses.Delete(ctx, resp.ID); err != nil {
		t.Fatal(err)
	}
	_, err = client.Responses.Get(ctx, resp.ID, responses.ResponseGetParams{})
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
		t.Errorf("get after delete: %v", err)
	}
	// store:false keeps nothing.
	resp, err = client.Responses.New(ctx, responses.ResponseNewParams{
		Model: "m1", Store: openai.Bool(false), Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("x")},
	})
	if err != nil || !strings.Contains(resp.RawJSON(), `"store":false`) {
		t.Fatalf("store:false: %v %s", err, resp.RawJSON())
	}
	if _, err = client.Responses.Get(ctx, resp.ID, responses.ResponseGetParams{}); !errors.As(err, &apiErr) || apiErr.StatusCode != 404 {
		t.Errorf("get of unstored response: %v", err)
	}
}

func TestResponsesErrors(t *testing.T) {
	srv := serveDialects(t, &dialectBackend{})
	noStore := serveDialects(t, &dialectBackend{}, oaicompat.WithResponseStore(nil))
	ctx := context.Background()
	tests := []struct {
		name   string
		url    string
		body   string
		status int
		param  string
		code   string
		msg    string // a prefix of the message, when given
	}{
		{"missing model", srv.URL, `{"input":"x"}`, 400, "model", "", ""},
		{"bad part type", srv.URL, `{"model":"m","input":[{"role":"user","content":"a"},{"role":"user","content":"b"},{"role":"user","content":[{"type":"image_url","image_url":"x"}]}]}`, 400, "input[2].content[0].type", "invalid_value", ""},
		{"system image", srv.URL, `{"model":"m","input":[{"role":"system","content":[{"type":"input_image","image_url":"http://x"}]}]}`, 400, "input[0].content[0].type", "invalid_value", ""},
		{"bad role", srv.URL, `{"model":"m","input":[{"role":"robot","content":"x"}]}`, 400, "input[0].role", "invalid_value", ""},
		{"schema name", srv.URL, `{"model":"m","input":"x","text":{"format":{"type":"json_schema","name":"bad name","schema":{}}}}`, 400, "text.format.name", "", ""},
		{"schema missing", srv.URL, `{"model":"m","input":"x","text":{"format":{"type":"json_schema","name":"n"}}}`, 400, "text.format.schema", "", ""},
		{"max_output_tokens min 16", srv.URL, `{"model":"m","input":"x","max_output_tokens":15}`, 400, "max_output_tokens", "invalid_value", ""},
		{"call_id missing", srv.URL, `{"model":"m","input":[{"type":"function_call_output","output":"x"}]}`, 400, "input[0].call_id", "", ""},
		{"tool choice unknown", srv.URL, `{"model":"m","input":"x","tools":[{"type":"function","name":"f"}],"tool_choice":{"type":"function","name":"g"}}`, 400, "tool_choice", "", ""},
		{"built-in tool", srv.URL, `{"model":"m","input":"x","tools":[{"type":"web_search"}]}`, 400, "tools[0].type", "unsupported_parameter", ""},
		{"item type", srv.URL, `{"model":"m","input":[{"type":"computer_call_output","call_id":"c","output":{}}]}`, 400, "input[0].type", "unsupported_parameter", ""},
		{"unknown previous", srv.URL, `{"model":"m","input":"x","previous_response_id":"resp_nope"}`, 400, "previous_response_id", "previous_response_not_found", ""},
		{"no store", noStore.URL, `{"model":"m","input":"x","previous_response_id":"resp_nope"}`, 400, "previous_response_id", "unsupported_parameter", ""},
		{"item_reference without a store", noStore.URL, `{"model":"m","input":[{"type":"item_reference","id":"msg_1"}]}`, 400, "input[0]", "unsupported_parameter", ""},
		{"item_reference without an id", srv.URL, `{"model":"m","input":[{"role":"user","content":"x"},{"type":"item_reference"}]}`, 400, "input[1].id", "", ""},
		{"prompt template", srv.URL, `{"model":"m","prompt":{"id":"p"},"input":"x"}`, 400, "prompt", "unsupported_parameter", ""},
		{"temperature", srv.URL, `{"model":"m","input":"x","temperature":3}`, 400, "temperature", "invalid_value", ""},
		{"output without a call", srv.URL, `{"model":"m","input":[{"type":"function_call_output","call_id":"call_1","output":"r"}]}`, 400, "input", "", "No tool call found for function call output with call_id call_1."},
		{"call without an output", srv.URL, `{"model":"m","input":[{"role":"user","content":"x"},{"type":"function_call","call_id":"call_1","name":"f","arguments":"{}"},{"role":"user","content":"y"}]}`, 400, "input", "", "No tool output found for function call call_1."},
		{"output after a message", srv.URL, `{"model":"m","input":[{"type":"function_call","call_id":"call_1","name":"f","arguments":"{}"},{"type":"function_call_output","call_id":"call_1","output":"r"},{"role":"user","content":"y"},{"type":"function_call_output","call_id":"call_1","output":"again"}]}`, 400, "input", "unsupported_parameter", "The output of function call call_1 must follow its call"},
		{"schema too large to compile", srv.URL, `{"model":"m","input":"x","text":{"format":{"type":"json_schema","name":"s","schema":` + wideSchema(10001) + `}}}`, 400, "text.format", "", "Invalid schema for response_format 's': the schema has more than 10000 objects"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := goClient(tt.url)
			var body map[string]any
			if err := json.Unmarshal([]byte(tt.body), &body); err != nil {
				t.Fatal(err)
			}
			var out map[string]any
			err := client.Post(ctx, "responses", body, &out)
			var apiErr *openai.Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v", err)
			}
			if apiErr.StatusCode != tt.status || apiErr.Param != tt.param || apiErr.Code != tt.code || apiErr.Type != "invalid_request_error" || !strings.HasPrefix(apiErr.Message, tt.msg) {
				t.Errorf("got %d param %q code %q type %q: %s", apiErr.StatusCode, apiErr.Param, apiErr.Code, apiErr.Type, apiErr.Message)
			}
		})
	}
	// Without a store the retrieval routes do not exist.
	_, err := goClient(noStore.URL).Responses.Get(ctx, "resp_x", responses.ResponseGetParams{})
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || !strings.Contains(apiErr.Message, "Invalid URL") {
		t.Errorf("GET without store: %v", err)
	}
}

func TestResponsesInputShapesReachChat(t *testing.T) {
	be := &dialectBackend{}
	srv := serveDialects(t, be)
	body := map[string]any{
		"model": "m1",
		"input": []any{
			map[string]any{"role": "system", "content": "sys"},
			map[string]any{"type": "message", "role": "developer", "content": []any{map[string]any{"type": "input_text", "text": "dev"}}},
			map[string]any{"role": "user", "content": []any{
				map[string]any{"type": "input_text", "text": "look"},
				map[string]any{"type": "input_image", "image_url": "data:image/png;base64,AAAA", "detail": "low"},
				map[string]any{"type": "input_file", "filename": "a.pdf", "file_data": "data:application/pdf;base64,AAAA"},
			}},
			map[string]any{"type": "reasoning", "id": "rs_1", "summary": []any{map[string]any{"type": "summary_text", "text": "thinking"}}},
			map[string]any{"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
				"content": []any{map[string]any{"type": "output_text", "text": "calling", "annotations": []any{}}}},
			map[string]any{"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "f", "arguments": "{}"},
			map[string]any{"type": "function_call", "id": "fc_2", "call_id": "call_2", "name": "f", "arguments": `{"a":1}`},
			map[string]any{"type": "function_call_output", "call_id": "call_1", "output": "one"},
			map[string]any{"type": "function_call_output", "call_id": "call_2", "output": []any{map[string]any{"type": "input_text", "text": "two"}}},
			map[string]any{"role": "user", "content": "next"},
		},
		"tools":               []any{map[string]any{"type": "function", "name": "f", "parameters": map[string]any{"type": "object"}}},
		"tool_choice":         map[string]any{"type": "allowed_tools", "mode": "auto", "tools": []any{map[string]any{"type": "function", "name": "f"}}},
		"parallel_tool_calls": false,
		"reasoning":           map[string]any{"effort": "low", "summary": "auto"},
		"include":             []any{"message.output_text.logprobs"},
		"top_logprobs":        2,
		"text":                map[string]any{"format": map[string]any{"type": "json_object"}, "verbosity": "low"},
		"x_vendor":            true,
	}
	var out map[string]any
	if err := goClient(srv.URL).Post(context.Background(), "responses", body, &out); err != nil {
		t.Fatal(err)
	}
	c := be.LastRequest()
	roles := make([]string, len(c.Messages))
	for i, m := range c.Messages {
		roles[i] = m.Role
	}
	if strings.Join(roles, ",") != "system,developer,user,assistant,tool,tool,user" {
		t.Fatalf("roles = %v", roles)
	}
	user := c.Messages[2].Content.Parts()
	if user[0].Text != "look" || user[1].ImageURL.URL != "data:image/png;base64,AAAA" || user[1].ImageURL.Detail != "low" || user[2].File.Filename != "a.pdf" {
		t.Errorf("user parts = %+v", user)
	}
	asst := c.Messages[3]
	if asst.Content.Text() != "calling" || len(asst.ToolCalls) != 2 || asst.ToolCalls[1].Function.Arguments != `{"a":1}` ||
		asst.Reasoning == nil || *asst.Reasoning != "thinking" {
		t.Errorf("assistant = %+v", asst)
	}
	if c.Messages[5].ToolCallID != "call_2" || c.Messages[5].Content.Text() != "two" {
		t.Errorf("tool message = %+v", c.Messages[5])
	}
	if c.ToolChoice.Type != "allowed_tools" || string(c.ToolChoice.AllowedTools.Tools[0]) != `{"type":"function","function":{"name":"f"}}` {
		t.Errorf("tool_choice = %+v", c.ToolChoice)
	}
	if c.AllowsParallelToolCalls() || c.ReasoningEffort != "low" || c.Verbosity != "low" || c.ResponseFormat.Type != "json_object" ||
		!c.WantsLogprobs() || *c.TopLogprobs != 2 {
		t.Errorf("chat request = %+v", c)
	}
	for _, k := range []string{"reasoning", "include", "x_vendor", "top_logprobs"} {
		if _, ok := c.Extra[k]; !ok {
			t.Errorf("Extra lacks %q: %v", k, c.Extra)
		}
	}
	// The translated request is one the chat endpoint accepts.
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if status, _, answer := post(t, serveDialects(t, &dialectBackend{}).URL+"/v1/chat/completions", string(raw)); status != 200 {
		t.Errorf("translated request does not validate: %d %s", status, answer)
	}
}

// wideSchema is an object schema of n untyped properties: n+2 JSON objects.
func wideSchema(n int) string {
	var p strings.Builder
	for i := range n {
		if i > 0 {
			p.WriteByte(',')
		}
		p.WriteString(`"p` + strconv.Itoa(i) + `":{}`)
	}
	return `{"type":"object","properties":{` + p.String() + `}}`
}
