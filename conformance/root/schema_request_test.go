package oaicompat_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"
)

// okBackend answers "ok" without looking at the request.
var okBackend = oaicompat.ChatFunc(func(_ context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	return w.WriteText("ok")
})

// deepObject nests n objects.
func deepObject(n int) string {
	s := `{"type":"string"}`
	for i := 0; i < n; i++ {
		s = `{"type":"object","properties":{"x":` + s + `},"required":["x"],"additionalProperties":false}`
	}
	return s
}

// manyProperties is a strict object with n properties named with width chars.
func manyProperties(n, width int) string {
	var props, req []string
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("%0*d", width, i)
		props = append(props, `"`+name+`":{"type":"integer"}`)
		req = append(req, `"`+name+`"`)
	}
	return `{"type":"object","properties":{` + strings.Join(props, ",") + `},"required":[` + strings.Join(req, ",") + `],"additionalProperties":false}`
}

// enumOf is a strict object whose one property is an enum of n strings of width chars.
func enumOf(n, width int) string {
	var vals []string
	for i := 0; i < n; i++ {
		vals = append(vals, fmt.Sprintf(`"%0*d"`, width, i))
	}
	return `{"type":"object","properties":{"e":{"type":"string","enum":[` + strings.Join(vals, ",") + `]}},"required":["e"],"additionalProperties":false}`
}

// The strict-mode rules, each through the official client: a tool whose
// parameters break one answers 400 with OpenAI's message, param and code.
func TestStrictSchemaRules(t *testing.T) {
	client := officialClient(serve(t, oaicompat.NewHandler(okBackend)))
	const obj = `"type":"object","additionalProperties":false`
	cases := []struct {
		name   string
		schema string
		strict bool
		want   string // message after "Invalid schema for function 'f': "; "" accepts
	}{
		{"valid", `{"$schema":"https://json-schema.org/draft/2020-12/schema",` + obj + `,"properties":{"a":{"type":"string"},"b":{"type":["integer","null"]}},"required":["a","b"]}`, true, ""},
		{"valid empty", `{` + obj + `,"properties":{},"required":[]}`, true, ""},
		{"valid keywords", `{` + obj + `,"properties":{"s":{"type":"string","pattern":"^a","format":"email","description":"d","title":"t"},"n":{"type":"number","minimum":0,"maximum":9,"exclusiveMinimum":-1,"exclusiveMaximum":10,"multipleOf":0.5},"l":{"type":"array","items":{"type":"integer"},"minItems":1,"maxItems":3},"e":{"enum":["x","y"]},"c":{"const":"k"}},"required":["s","n","l","e","c"]}`, true, ""},
		{"valid anyOf", `{` + obj + `,"properties":{"u":{"anyOf":[{"type":"string"},{` + obj + `,"properties":{"v":{"type":"number"}},"required":["v"]}]}},"required":["u"]}`, true, ""},
		{"valid defs", `{` + obj + `,"properties":{"n":{"$ref":"#/$defs/node"}},"required":["n"],"$defs":{"node":{` + obj + `,"properties":{"kids":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["kids"]}}}`, true, ""},
		{"valid root recursion", `{` + obj + `,"properties":{"kids":{"type":"array","items":{"$ref":"#"}}},"required":["kids"]}`, true, ""},
		{"valid at max depth", deepObject(10), true, ""},
		{"non-strict accepts loose schemas", `{"type":"object","properties":{"a":{"type":"string","minLength":1}}}`, false, ""},
		{"root array", `{"type":"array","items":{"type":"string"}}`, true, `schema must be a JSON Schema of 'type: "object"', got 'type: "array"'.`},
		{"root anyOf", `{"anyOf":[{` + obj + `,"properties":{},"required":[]}]}`, true, `schema must be a JSON Schema of 'type: "object"', got 'type: "None"'.`},
		{"root additionalProperties", `{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}`, true, "In context=(), 'additionalProperties' is required to be supplied and to be false."},
		{"nested additionalProperties true", `{` + obj + `,"properties":{"loc":{"type":"object","properties":{},"required":[],"additionalProperties":true}},"required":["loc"]}`, true, "In context=('properties', 'loc'), 'additionalProperties' is required to be supplied and to be false."},
		{"items additionalProperties", `{` + obj + `,"properties":{"l":{"type":"array","items":{"type":"object","properties":{}}}},"required":["l"]}`, true, "In context=('properties', 'l', 'items'), 'additionalProperties' is required to be supplied and to be false."},
		{"missing properties", `{` + obj + `}`, true, "In context=(), object schema missing properties."},
		{"required missing key", `{` + obj + `,"properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["a"]}`, true, "In context=(), 'required' is required to be supplied and to be an array including every key in properties. Missing 'b'."},
		{"required absent", `{` + obj + `,"properties":{"a":{"type":"string"}}}`, true, "In context=(), 'required' is required to be supplied and to be an array including every key in properties. Missing 'a'."},
		{"required extra key", `{` + obj + `,"properties":{"a":{"type":"string"}},"required":["a","z"]}`, true, "In context=(), 'required' must be an array that includes every key in `properties`. Extra required key 'z' supplied."},
		{"minLength", `{` + obj + `,"properties":{"name":{"type":"string","minLength":1}},"required":["name"]}`, true, "In context=('properties', 'name'), 'minLength' is not permitted."},
		{"allOf", `{` + obj + `,"properties":{"a":{"allOf":[{"type":"string"}]}},"required":["a"]}`, true, "In context=('properties', 'a'), 'allOf' is not permitted."},
		{"oneOf", `{` + obj + `,"properties":{"a":{"oneOf":[{"type":"string"}]}},"required":["a"]}`, true, "In context=('properties', 'a'), 'oneOf' is not permitted."},
		{"default", `{` + obj + `,"properties":{"a":{"type":"string","default":"x"}},"required":["a"]}`, true, "In context=('properties', 'a'), 'default' is not permitted."},
		{"patternProperties", `{` + obj + `,"properties":{},"required":[],"patternProperties":{"^x":{"type":"string"}}}`, true, "In context=(), 'patternProperties' is not permitted."},
		{"uniqueItems", `{` + obj + `,"properties":{"l":{"type":"array","items":{"type":"string"},"uniqueItems":true}},"required":["l"]}`, true, "In context=('properties', 'l'), 'uniqueItems' is not permitted."},
		{"examples", `{` + obj + `,"properties":{"a":{"type":"string","examples":["x"]}},"required":["a"]}`, true, "In context=('properties', 'a'), 'examples' is not permitted."},
		{"missing type", `{` + obj + `,"properties":{"a":{"description":"anything"}},"required":["a"]}`, true, "In context=('properties', 'a'), schema must have a 'type' key."},
		{"boolean subschema", `{` + obj + `,"properties":{"a":true},"required":["a"]}`, true, "In context=('properties', 'a'), schema must be a JSON object, got true."},
		{"$ref siblings", `{` + obj + `,"properties":{"n":{"$ref":"#/$defs/s","description":"d"}},"required":["n"],"$defs":{"s":{"type":"string"}}}`, true, "In context=('properties', 'n'), $ref cannot have keywords {'description'}."},
		{"bad def", `{` + obj + `,"properties":{"n":{"$ref":"#/$defs/o"}},"required":["n"],"$defs":{"o":{"type":"object","properties":{}}}}`, true, "In context=('$defs', 'o'), 'additionalProperties' is required to be supplied and to be false."},
		{"anyOf branch", `{` + obj + `,"properties":{"u":{"anyOf":[{"type":"string"},{"type":"object","properties":{}}]}},"required":["u"]}`, true, "In context=('properties', 'u', 'anyOf', '1'), 'additionalProperties' is required to be supplied and to be false."},
		{"too deep", deepObject(11), true, "11 levels of nesting exceeds limit of 10."},
		{"too many properties", manyProperties(5001, 4), true, "5001 object properties exceeds limit of 5000."},
		{"too many enum values", enumOf(1001, 1), true, "1001 enum values exceeds limit of 1000."},
		{"large enum too long", enumOf(300, 60), true, "In context=('properties', 'e'), an enum of more than 250 string values may total at most 15000 characters, got 18000."},
		{"names too long", manyProperties(4900, 25), true, "122500 characters of property names, definition names, enum values and const values exceeds limit of 120000."},
		// Not valid JSON Schema at all: refused strict or not.
		{"invalid type", `{"type":"object","properties":{"a":{"type":"strin"}}}`, false, "In context=('properties', 'a', 'type'), value must be one of 'array', 'boolean', 'integer', 'null', 'number', 'object', 'string'."},
		{"invalid required", `{"type":"object","required":"a"}`, false, "In context=('required',), got string, want array."},
		{"remote $ref", `{"type":"object","properties":{"a":{"$ref":"https://example.com/s.json"}}}`, false, `'$ref' "https://example.com/s.json" cannot be resolved: only references within the schema ('#...') are supported.`},
		{"file $ref", `{"$ref":"file:///etc/passwd"}`, false, `'$ref' "file:///etc/passwd" cannot be resolved`},
		{"dangling $ref", `{"type":"object","properties":{"a":{"$ref":"#/$defs/none"}}}`, false, `'$ref' "#/$defs/none" points to nothing in the schema.`},
		{"bad regex", `{"type":"object","properties":{"a":{"type":"string","pattern":"(?=x)"}}}`, false, "In context=('properties', 'a', 'pattern'), '(?=x)' is not valid regex"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var params map[string]any
			if err := json.Unmarshal([]byte(c.schema), &params); err != nil {
				t.Fatal(err)
			}
			_, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
				Model:    "m",
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
				Tools: []openai.ChatCompletionToolUnionParam{
					openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{Name: "ok", Parameters: map[string]any{"type": "object"}}),
					openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{Name: "f", Parameters: params, Strict: openai.Bool(c.strict)}),
				},
			})
			if c.want == "" {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				return
			}
			assertAPIError(t, err, 400, "invalid_request_error", "tools[1].function.parameters", "invalid_function_parameters",
				"Invalid schema for function 'f': "+c.want)
		})
	}
}

// assertAPIError checks an *openai.Error; message is a prefix of the message.
func assertAPIError(t *testing.T, err error, status int, typ, param, code, message string) {
	t.Helper()
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want an *openai.Error", err)
	}
	if apiErr.StatusCode != status || apiErr.Type != typ || apiErr.Param != param || apiErr.Code != code {
		t.Errorf("got %d type=%q param=%q code=%q, want %d %q %q %q", apiErr.StatusCode, apiErr.Type, apiErr.Param, apiErr.Code, status, typ, param, code)
	}
	if !strings.HasPrefix(apiErr.Message, message) {
		t.Errorf("message:\n got %q\nwant %q", apiErr.Message, message)
	}
}

// The same rules for response_format (param "response_format", code null,
// as OpenAI answers) and for the deprecated functions.
func TestStrictSchemaPlaces(t *testing.T) {
	client := officialClient(serve(t, oaicompat.NewHandler(okBackend)))
	loose := json.RawMessage(`{"type":"object","properties":{"a":{"type":"string"}}}`)
	ctx := context.Background()
	msgs := []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}

	_, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "m", Messages: msgs,
		ResponseFormat: openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
			JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: "reply", Schema: loose, Strict: openai.Bool(true)}}}})
	assertAPIError(t, err, 400, "invalid_request_error", "response_format", "",
		"Invalid schema for response_format 'reply': In context=(), 'additionalProperties' is required to be supplied and to be false.")

	// Not strict: a loose schema is accepted, an invalid one is not.
	_, err = client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "m", Messages: msgs,
		ResponseFormat: openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
			JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: "reply", Schema: json.RawMessage(`{"type":"objekt"}`)}}}})
	assertAPIError(t, err, 400, "invalid_request_error", "response_format", "",
		"Invalid schema for response_format 'reply': In context=('type',), value must be one of")

	var params map[string]any
	_ = json.Unmarshal([]byte(`{"type":"object","properties":{"a":{"type":"nope"}}}`), &params)
	_, err = client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "m", Messages: msgs},
		option.WithJSONSet("functions", []map[string]any{{"name": "g"}, {"name": "legacy", "parameters": params}}))
	assertAPIError(t, err, 400, "invalid_request_error", "functions[1].parameters", "invalid_function_parameters",
		"Invalid schema for function 'legacy': In context=('properties', 'a', 'type'), value must be one of")
}
