package oaicompat_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
)

// TestNodeSDKStructuredOutputs runs nodetest/structured.mjs: the official
// openai npm package's parse() and stream helpers get parsed content and
// parsed strict-tool arguments, built from a schema made by SchemaFor, and
// an APIError (500 model_error) for a reply that breaks the schema.
func TestNodeSDKStructuredOutputs(t *testing.T) {
	node := nodeOrSkip(t)
	backend := oaicompat.ChatFunc(func(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		switch req.LastUserMessage() {
		case "call":
			return w.WriteToolCall("", "convert", validArgs)
		case "bad":
			return w.WriteText(`{"value":"three","from":"km","to":"mi"}`)
		}
		return w.WriteText(validArgs)
	})
	srv := serve(t, oaicompat.NewHandler(backend))
	schema, err := oaicompat.SchemaFor[convertArgs]()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "structured.mjs", srv.URL, string(schema))
	cmd.Dir = filepath.Join("..", "..", "nodetest")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node structured.mjs: %v\n%s", err, out)
	}
	for _, want := range []string{`"parsed":{"value":3,"from":"km","to":"mi"}`, `"parsedArguments":true`,
		`"violation":"500 The model produced invalid content: the content of choice 0 does not match the json_schema 'conversion': at '/value': got string, want number`,
		`"streamViolation":500`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
}
