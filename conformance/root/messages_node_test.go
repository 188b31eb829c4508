package oaicompat_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
)

// TestNodeMessages runs nodetest/messages.mjs, which drives the Messages
// routes with @anthropic-ai/sdk (create, MessageStream, tool round trip,
// tool_choice, thinking, stop sequences, count_tokens, typed errors),
// @langchain/anthropic and @ai-sdk/anthropic (tool-calling
// conversations), and reads the reasoning back with openai-node.
func TestNodeMessages(t *testing.T) {
	node := nodeOrSkip(t)
	srv := serveDialects(t, &messagesBackend{}, fixedIDs())
	keys := middleware.StaticKeys(map[string]string{"sk-good": "alice"})
	guarded := serve(t, middleware.Auth(keys)(oaicompat.NewHandler(&messagesBackend{}, oaicompat.WithMaxRequestBytes(4<<10),
		oaicompat.WithModels(oaicompat.Model{ID: "m1", Object: "model"}))))
	cmd := exec.Command(node, "messages.mjs", srv.URL, guarded.URL)
	cmd.Dir = filepath.Join("..", "..", "nodetest")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node messages.mjs: %v\n%s", err, out)
	}
	for _, want := range []string{`"roundTrip":"The weather: 18C"`, `"langchain":"The weather: 18C in Paris"`,
		`"aisdk":"The weather: 18C in Paris"`, `"openaiReasoning":"Let me think."`, `"errors":"typed"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %s: %s", want, out)
		}
	}
}
