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
	"github.com/openai/openai-go/v3/responses"
)

// The Responses API runs the chat Backend through the same guard: a strict
// text.format or function tool is enforced there too, and the typed
// helpers give its (flat) shapes.
func TestResponsesOutputGuarantees(t *testing.T) {
	var format responses.ResponseFormatTextJSONSchemaConfigParam
	if err := json.Unmarshal(oaicompat.TextFormatFor[convertArgs]("conversion"), &format); err != nil {
		t.Fatal(err)
	}
	var params map[string]any
	raw, _ := oaicompat.SchemaFor[convertArgs]()
	_ = json.Unmarshal(raw, &params)
	withFormat := func(p *responses.ResponseNewParams) {
		p.Text = responses.ResponseTextConfigParam{Format: responses.ResponseFormatTextConfigUnionParam{OfJSONSchema: &format}}
	}
	withTool := func(p *responses.ResponseNewParams) {
		p.Tools = []responses.ToolUnionParam{{OfFunction: &responses.FunctionToolParam{Name: "convert", Parameters: params, Strict: openai.Bool(true)}}}
	}
	cases := []struct {
		name   string
		set    func(*responses.ResponseNewParams)
		write  func(*oaicompat.ChatWriter) error
		reason string
	}{
		{"format passes", withFormat, writeText(validArgs), ""},
		{"format violated", withFormat, writeText(`{"value":3}`), "the content of choice 0 does not match the json_schema 'conversion': at '': missing properties 'from', 'to'"},
		{"tool passes", withTool, writeCall("convert", validArgs), ""},
		{"tool violated", withTool, writeCall("convert", `{"value":"3","from":"km","to":"mi"}`),
			"the arguments of tool call 0 ('convert') of choice 0 do not match its parameters: at '/value': got string, want number"},
	}
	for _, c := range cases {
		for _, stream := range []bool{false, true} {
			backend := oaicompat.ChatFunc(func(_ context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error { return c.write(w) })
			client := goClient(serve(t, oaicompat.NewHandler(backend)).URL)
			p := responses.ResponseNewParams{Model: "m", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("go")}}
			c.set(&p)
			var out string
			var err error
			if stream {
				s := client.Responses.NewStreaming(context.Background(), p)
				for s.Next() {
					if e, ok := s.Current().AsAny().(responses.ResponseCompletedEvent); ok {
						out = e.Response.OutputText() + argumentsOf(e.Response)
					}
				}
				err = s.Err()
			} else {
				var r *responses.Response
				if r, err = client.Responses.New(context.Background(), p); err == nil {
					out = r.OutputText() + argumentsOf(*r)
				}
			}
			if c.reason == "" {
				if err != nil || out != validArgs {
					t.Errorf("%s (stream %v): got %q, %v", c.name, stream, out, err)
				}
				continue
			}
			var apiErr *openai.Error
			var streamErr *ssestream.StreamError
			msg := ""
			switch {
			case errors.As(err, &apiErr) && apiErr.StatusCode == 500 && apiErr.Type == oaicompat.TypeModelError:
				msg = apiErr.Message
			case errors.As(err, &streamErr):
				msg = string(streamErr.Event.Data)
			}
			if !strings.Contains(msg, c.reason) || out != "" {
				t.Errorf("%s (stream %v): output %q, err %v; want a model_error saying %q", c.name, stream, out, err, c.reason)
			}
		}
	}
}

func argumentsOf(r responses.Response) string {
	var sb strings.Builder
	for _, item := range r.Output {
		if item.Type == "function_call" {
			sb.WriteString(item.AsFunctionCall().Arguments)
		}
	}
	return sb.String()
}

// Schemas in a Responses request are checked with its own param paths.
func TestResponsesSchemaErrors(t *testing.T) {
	client := goClient(serve(t, oaicompat.NewHandler(okBackend)).URL)
	loose := map[string]any{"type": "object", "properties": map[string]any{}}
	input := responses.ResponseNewParamsInputUnion{OfString: openai.String("go")}
	_, err := client.Responses.New(context.Background(), responses.ResponseNewParams{Model: "m", Input: input,
		Tools: []responses.ToolUnionParam{{OfWebSearch: &responses.WebSearchToolParam{Type: "web_search"}},
			{OfFunction: &responses.FunctionToolParam{Name: "f", Parameters: loose, Strict: openai.Bool(true)}}}})
	assertAPIError(t, err, 400, "invalid_request_error", "tools[1].parameters", "invalid_function_parameters",
		"Invalid schema for function 'f': In context=(), 'additionalProperties' is required to be supplied and to be false.")
	_, err = client.Responses.New(context.Background(), responses.ResponseNewParams{Model: "m", Input: input,
		Text: responses.ResponseTextConfigParam{Format: responses.ResponseFormatTextConfigUnionParam{OfJSONSchema: &responses.ResponseFormatTextJSONSchemaConfigParam{
			Name: "n", Schema: loose, Strict: openai.Bool(true)}}}})
	assertAPIError(t, err, 400, "invalid_request_error", "text.format", "",
		"Invalid schema for response_format 'n': In context=(), 'additionalProperties' is required to be supplied and to be false.")
}
