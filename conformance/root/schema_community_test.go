package oaicompat_test

import (
	"context"
	"errors"
	"testing"

	"github.com/oaicompat/oaicompat"
	goopenai "github.com/sashabaranov/go-openai"
	"github.com/sashabaranov/go-openai/jsonschema"
)

// The community client builds strict schemas with its own generator: the
// handler accepts them, passes a reply that fits (which the client's own
// validator then decodes) and refuses one that does not.
func TestCommunityClientStructuredOutput(t *testing.T) {
	type city struct {
		Name       string `json:"name"`
		Population int    `json:"population"`
	}
	schema, err := jsonschema.GenerateSchemaForType(city{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		reply string
		ok    bool
	}{
		{`{"name":"Lisbon","population":545000}`, true},
		{`{"name":"Lisbon","population":"many"}`, false},
	} {
		backend := oaicompat.ChatFunc(func(_ context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
			return w.WriteText(tc.reply)
		})
		c := communityClient(serve(t, oaicompat.NewHandler(backend)))
		resp, err := c.CreateChatCompletion(context.Background(), goopenai.ChatCompletionRequest{Model: "m",
			Messages: []goopenai.ChatCompletionMessage{{Role: "user", Content: "a city"}},
			ResponseFormat: &goopenai.ChatCompletionResponseFormat{Type: goopenai.ChatCompletionResponseFormatTypeJSONSchema,
				JSONSchema: &goopenai.ChatCompletionResponseFormatJSONSchema{Name: "city", Schema: schema, Strict: true}}})
		if !tc.ok {
			var apiErr *goopenai.APIError
			if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 500 || apiErr.Type != oaicompat.TypeModelError {
				t.Errorf("reply %s: err = %v, want a 500 model_error", tc.reply, err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var got city
		if err := schema.Unmarshal(resp.Choices[0].Message.Content, &got); err != nil || got.Population != 545000 {
			t.Errorf("decoded %+v, %v", got, err)
		}
	}
}
