package oaicompat_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/ssestream"
	"github.com/openai/openai-go/v3/shared"
)

// convertArgs are the arguments of the "convert" tool and the reply of the
// "conversion" format.
type convertArgs struct {
	Value float64 `json:"value"`
	From  string  `json:"from" jsonschema:"enum=km,enum=mi,enum=m"`
	To    string  `json:"to" jsonschema:"enum=km,enum=mi,enum=m"`
}

// Request shapes for the output guarantees.

func strictFormat(p *openai.ChatCompletionNewParams) {
	schema, _ := oaicompat.SchemaFor[convertArgs]()
	p.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
		JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: "conversion", Schema: schema, Strict: openai.Bool(true)}}}
}

func looseFormat(p *openai.ChatCompletionNewParams) {
	schema, _ := oaicompat.SchemaFor[convertArgs]()
	p.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
		JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: "conversion", Schema: schema}}}
}

func jsonObjectFormat(p *openai.ChatCompletionNewParams) {
	p.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONObject: &shared.ResponseFormatJSONObjectParam{}}
}

// withTools offers "convert" (strict, unitArgs) and "lookup" (not strict).
func withTools(p *openai.ChatCompletionNewParams) {
	var convert map[string]any
	raw, _ := oaicompat.SchemaFor[convertArgs]()
	_ = json.Unmarshal(raw, &convert)
	p.Tools = []openai.ChatCompletionToolUnionParam{
		openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{Name: "convert", Parameters: convert, Strict: openai.Bool(true)}),
		openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{Name: "lookup",
			Parameters: map[string]any{"type": "object", "properties": map[string]any{"id": map[string]any{"type": "string"}}}}),
	}
}

func toolChoice(mode string) func(*openai.ChatCompletionNewParams) {
	return func(p *openai.ChatCompletionNewParams) {
		withTools(p)
		p.ToolChoice = openai.ChatCompletionToolChoiceOptionUnionParam{OfAuto: openai.String(mode)}
	}
}

func forced(name string) func(*openai.ChatCompletionNewParams) {
	return func(p *openai.ChatCompletionNewParams) {
		withTools(p)
		p.ToolChoice = openai.ToolChoiceOptionFunctionToolChoice(openai.ChatCompletionNamedToolChoiceFunctionParam{Name: name})
	}
}

func allowedOnly(name string) func(*openai.ChatCompletionNewParams) {
	return func(p *openai.ChatCompletionNewParams) {
		withTools(p)
		p.ToolChoice = openai.ChatCompletionToolChoiceOptionUnionParam{OfAllowedTools: &openai.ChatCompletionAllowedToolChoiceParam{
			AllowedTools: openai.ChatCompletionAllowedToolsParam{Mode: "required",
				Tools: []map[string]any{{"type": "function", "function": map[string]any{"name": name}}}}}}
	}
}

func serial(p *openai.ChatCompletionNewParams) {
	withTools(p)
	p.ParallelToolCalls = openai.Bool(false)
}

func writeText(s string) func(*oaicompat.ChatWriter) error {
	return func(w *oaicompat.ChatWriter) error { return w.WriteText(s) }
}

func writeCall(name, args string) func(*oaicompat.ChatWriter) error {
	return func(w *oaicompat.ChatWriter) error { return w.WriteToolCall("", name, args) }
}

// seq runs writes in order, stopping at the first error.
func writeAll(fs ...func(*oaicompat.ChatWriter) error) func(*oaicompat.ChatWriter) error {
	return func(w *oaicompat.ChatWriter) error {
		for _, f := range fs {
			if err := f(w); err != nil {
				return err
			}
		}
		return nil
	}
}

const validArgs = `{"value":3,"from":"km","to":"mi"}`

// guardCase is one output guarantee: a request, what the backend writes,
// and either the answer the client gets or the violation it is told of.
type guardCase struct {
	name    string
	params  func(*openai.ChatCompletionNewParams)
	n       int
	write   func(*oaicompat.ChatWriter) error
	reason  string                                   // violation reason; "" when the answer passes
	check   func(*testing.T, *openai.ChatCompletion) // for answers that pass
	invalid string                                   // a piece of the invalid output (to see where it went)
	early   bool                                     // caught before it is sent, even in at-end mode
}

func wantContent(content, finish string) func(*testing.T, *openai.ChatCompletion) {
	return func(t *testing.T, c *openai.ChatCompletion) {
		t.Helper()
		if got := c.Choices[0]; got.Message.Content != content || got.FinishReason != finish {
			t.Errorf("got content %q finish %q, want %q %q", got.Message.Content, got.FinishReason, content, finish)
		}
	}
}

func wantCalls(calls ...string) func(*testing.T, *openai.ChatCompletion) {
	return func(t *testing.T, c *openai.ChatCompletion) {
		t.Helper()
		var got []string
		for _, tc := range c.Choices[0].Message.ToolCalls {
			got = append(got, tc.Function.Name+" "+tc.Function.Arguments)
		}
		if strings.Join(got, "|") != strings.Join(calls, "|") || c.Choices[0].FinishReason != "tool_calls" {
			t.Errorf("got calls %q finish %q, want %q tool_calls", got, c.Choices[0].FinishReason, calls)
		}
	}
}

var guardCases = []guardCase{
	{name: "free text", write: writeText("hello"), check: wantContent("hello", "stop")},
	{name: "json_object passes an object", params: jsonObjectFormat, write: writeText(`{"a":1}`), check: wantContent(`{"a":1}`, "stop")},
	{name: "json_object refuses prose", params: jsonObjectFormat, write: writeText(`Sure! {"a":1}`), invalid: "Sure!",
		reason: "the content of choice 0 is not valid JSON"},
	{name: "json_object refuses an array", params: jsonObjectFormat, write: writeText(`[1,2]`), invalid: "[1,2]",
		reason: "the content of choice 0 is an array, not the JSON object response_format json_object requires"},
	{name: "json_object refuses nothing", params: jsonObjectFormat, write: func(w *oaicompat.ChatWriter) error { return nil },
		reason: "the content of choice 0 is empty, not JSON"},
	{name: "strict schema passes, written in pieces", params: strictFormat, write: writeAll(writeText(`{"value":3,`), writeText(`"from":"km",`), writeText(`"to":"mi"}`)),
		check: wantContent(validArgs, "stop")},
	{name: "strict schema catches a bad enum", params: strictFormat, write: writeText(`{"value":3,"from":"km","to":"yd"}`), invalid: `"yd"`,
		reason: "the content of choice 0 does not match the json_schema 'conversion': at '/to': value must be one of 'km', 'mi', 'm'"},
	{name: "strict schema catches a missing property", params: strictFormat, write: writeText(`{"value":3,"from":"km"}`), invalid: `"km"}`,
		reason: "the content of choice 0 does not match the json_schema 'conversion': at '': missing property 'to'"},
	{name: "strict schema allows a refusal", params: strictFormat, write: func(w *oaicompat.ChatWriter) error { return w.WriteRefusal("I can't help with that.") },
		check: func(t *testing.T, c *openai.ChatCompletion) {
			if m := c.Choices[0].Message; m.Refusal != "I can't help with that." || m.Content != "" {
				t.Errorf("got refusal %q content %q", m.Refusal, m.Content)
			}
		}},
	{name: "strict schema does not judge a cut answer", params: strictFormat,
		write: writeAll(writeText(`{"value":`), func(w *oaicompat.ChatWriter) error { return w.Finish(oaicompat.FinishLength) }), check: wantContent(`{"value":`, "length")},
	{name: "loose schema passes any JSON", params: looseFormat, write: writeText(`{"other":true}`), check: wantContent(`{"other":true}`, "stop")},
	{name: "loose schema still wants JSON", params: looseFormat, write: writeText(`{"other":`), invalid: `{"other":`,
		reason: "the content of choice 0 is not valid JSON"},
	{name: "strict tool passes", params: withTools, write: writeCall("convert", validArgs), check: wantCalls("convert " + validArgs)},
	{name: "strict tool arguments in fragments", params: withTools, write: func(w *oaicompat.ChatWriter) error {
		i, err := w.StartToolCall("call_1", "convert")
		for _, frag := range []string{`{"value":3,`, `"from":"km",`, `"to":"mi"}`} {
			if err == nil {
				err = w.WriteToolCallArguments(i, frag)
			}
		}
		return err
	}, check: wantCalls("convert " + validArgs)},
	{name: "strict tool catches bad arguments", params: withTools, write: writeCall("convert", `{"value":3,"from":"km"}`), invalid: `"from":"km"}`,
		reason: "the arguments of tool call 0 ('convert') of choice 0 do not match its parameters: at '': missing property 'to'"},
	{name: "strict tool catches arguments that go on late", params: withTools, write: func(w *oaicompat.ChatWriter) error {
		i, _ := w.StartToolCall("", "convert")
		_ = w.WriteToolCallArguments(i, validArgs)
		if err := w.WriteToolCall("", "lookup", `{}`); err != nil {
			return err
		}
		return w.WriteToolCallArguments(i, `{"late":1}`)
	}, invalid: `{"late":1}`, early: true,
		reason: "the arguments of tool call 0 ('convert') of choice 0 go on after a later call started"},
	{name: "loose tool arguments are not judged", params: withTools, write: writeCall("lookup", `not json`), check: wantCalls("lookup not json")},
	{name: "call of a tool not offered", params: withTools, write: writeCall("delete_all", `{}`), invalid: "delete_all", early: true,
		reason: "choice 0 calls 'delete_all', which is not one of the offered tools"},
	{name: "call when no tools were offered", write: writeCall("convert", validArgs), invalid: "convert", early: true,
		reason: "choice 0 calls 'convert' but the request offered no tools"},
	{name: "tool_choice none forbids calls", params: toolChoice("none"), write: writeCall("lookup", `{}`), invalid: "lookup", early: true,
		reason: "choice 0 calls 'lookup' but tool_choice is 'none'"},
	{name: "tool_choice required demands a call", params: toolChoice("required"), write: writeText("I'd rather not."), invalid: "rather",
		reason: "choice 0 calls no tool but tool_choice is 'required'"},
	{name: "tool_choice required with a call", params: toolChoice("required"), write: writeAll(writeText("Converting."), writeCall("convert", validArgs)),
		check: func(t *testing.T, c *openai.ChatCompletion) {
			wantCalls("convert "+validArgs)(t, c)
			if c.Choices[0].Message.Content != "Converting." {
				t.Errorf("content %q", c.Choices[0].Message.Content)
			}
		}},
	{name: "forced function, another called", params: forced("lookup"), write: writeCall("convert", validArgs), invalid: "convert", early: true,
		reason: "choice 0 calls 'convert' but tool_choice forces 'lookup'"},
	{name: "forced function, none called", params: forced("lookup"), write: writeText("no"),
		reason: "choice 0 calls no tool but tool_choice forces 'lookup'"},
	{name: "forced function called", params: forced("lookup"), write: writeCall("lookup", `{"id":"7"}`), check: wantCalls(`lookup {"id":"7"}`)},
	{name: "allowed_tools limits the calls", params: allowedOnly("lookup"), write: writeCall("convert", validArgs), invalid: "convert", early: true,
		reason: "choice 0 calls 'convert', which tool_choice.allowed_tools does not allow"},
	{name: "parallel_tool_calls false allows one", params: serial, write: writeCall("lookup", `{"id":"1"}`), check: wantCalls(`lookup {"id":"1"}`)},
	{name: "parallel_tool_calls false refuses two", params: serial, write: writeAll(writeCall("lookup", `{"id":"1"}`), writeCall("lookup", `{"id":"second"}`)),
		invalid: "second", early: true, reason: "choice 0 makes more than one tool call but parallel_tool_calls is false"},
	{name: "parallel calls", params: withTools, write: writeAll(writeCall("convert", validArgs), writeCall("lookup", `{"id":"2"}`)),
		check: wantCalls("convert "+validArgs, `lookup {"id":"2"}`)},
	{name: "one bad choice of two", params: jsonObjectFormat, n: 2, write: func(w *oaicompat.ChatWriter) error {
		if w.Index() == 1 {
			return w.WriteText("oops")
		}
		return w.WriteText(`{"ok":true}`)
	}, invalid: "oops", reason: "the content of choice 1 is not valid JSON"},
}

// runGuardCase sends c's request through the official client, streamed or
// not, and returns the answer (accumulated for streams) and the error.
func runGuardCase(t *testing.T, client openai.Client, c guardCase, stream bool) (*openai.ChatCompletion, error) {
	t.Helper()
	p := openai.ChatCompletionNewParams{Model: "m", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("go")}}
	if c.params != nil {
		c.params(&p)
	}
	if c.n > 0 {
		p.N = openai.Int(int64(c.n))
	}
	ctx := context.Background()
	if !stream {
		return client.Chat.Completions.New(ctx, p)
	}
	s := client.Chat.Completions.NewStreaming(ctx, p)
	defer s.Close()
	var acc openai.ChatCompletionAccumulator
	for s.Next() {
		acc.AddChunk(s.Current())
	}
	return &acc.ChatCompletion, s.Err()
}

// modelError returns the message of a model_error, answered as a response
// (status 500) or in-band on a stream.
func modelError(t *testing.T, err error) string {
	t.Helper()
	var apiErr *openai.Error
	var streamErr *ssestream.StreamError
	switch {
	case errors.As(err, &apiErr):
		if apiErr.StatusCode != 500 || apiErr.Type != oaicompat.TypeModelError || apiErr.Param != "" || apiErr.Code != "" {
			t.Errorf("got %d %q param %q code %q, want 500 model_error with null param and code", apiErr.StatusCode, apiErr.Type, apiErr.Param, apiErr.Code)
		}
		return apiErr.Message
	case errors.As(err, &streamErr):
		var body struct{ Error oaicompat.Error }
		if json.Unmarshal(streamErr.Event.Data, &body) != nil || body.Error.Type != oaicompat.TypeModelError {
			t.Errorf("in-band error %s, want a model_error", streamErr.Event.Data)
		}
		return body.Error.Message
	}
	t.Fatalf("err = %v, want a model_error", err)
	return ""
}

// sent returns everything the client received as output.
func sent(c *openai.ChatCompletion) string {
	var sb strings.Builder
	for _, ch := range c.Choices {
		sb.WriteString(ch.Message.Content)
		sb.WriteString(ch.Message.Refusal)
		for _, tc := range ch.Message.ToolCalls {
			sb.WriteString(tc.Function.Name + tc.Function.Arguments)
		}
	}
	return sb.String()
}

// Every output guarantee, valid and invalid, through the official client:
// not streamed, streamed with the default buffering, and streamed with the
// check at the end.
func TestOutputGuarantees(t *testing.T) {
	modes := []struct {
		name   string
		stream bool
		opts   []oaicompat.Option
	}{
		{"collect", false, nil},
		{"stream buffered", true, nil},
		{"stream checked at end", true, []oaicompat.Option{oaicompat.WithStreamCheckAtEnd()}},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			for _, c := range guardCases {
				t.Run(c.name, func(t *testing.T) {
					backend := oaicompat.ChatFunc(func(_ context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error { return c.write(w) })
					client := officialClient(serve(t, oaicompat.NewHandler(backend, m.opts...)))
					got, err := runGuardCase(t, client, c, m.stream)
					if c.reason == "" {
						if err != nil {
							t.Fatalf("want the answer, got %v", err)
						}
						c.check(t, got)
						return
					}
					msg := modelError(t, err)
					if want := "The model produced invalid content: " + c.reason; !strings.HasPrefix(msg, want) {
						t.Errorf("message:\n got %q\nwant %q...", msg, want)
					}
					if !strings.HasSuffix(msg, ". Consider modifying your prompt if you are seeing this error persistently.") {
						t.Errorf("message %q lacks OpenAI's advice", msg)
					}
					if c.invalid == "" || got == nil {
						return
					}
					// Buffered, the invalid part never reaches the client;
					// at the end, it was streamed before the error (unless
					// it is caught as it starts).
					leaked := strings.Contains(sent(got), c.invalid)
					wantLeak := len(m.opts) > 0 && !c.early
					if leaked != wantLeak {
						t.Errorf("client received %q; invalid part %q sent = %v, want %v", sent(got), c.invalid, leaked, wantLeak)
					}
				})
			}
		})
	}
}
