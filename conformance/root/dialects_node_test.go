package oaicompat_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
)

// nodeBackend is dialectBackend, except that the model "fail" fails mid-stream.
type nodeBackend struct{ azureBackend }

func (n *nodeBackend) Chat(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	if req.Model == "fail" {
		return failing{}.Chat(ctx, req, w)
	}
	return n.dialectBackend.Chat(ctx, req, w)
}

// TestNodeSDKDialects runs nodetest/dialects.mjs, which drives the handler
// with the official openai npm package: responses.create/stream, a function
// round trip with previous_response_id, an in-band stream error, legacy
// completions and the AzureOpenAI client.
func TestNodeSDKDialects(t *testing.T) {
	node := nodeOrSkip(t)
	srv := serveDialects(t, &nodeBackend{}, oaicompat.WithAzure(azureDeployments))
	cmd := exec.Command(node, "dialects.mjs", srv.URL)
	cmd.Dir = filepath.Join("..", "..", "nodetest")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node dialects.mjs: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), `"roundTrip":"The weather: 18C"`) || !strings.Contains(string(out), `"streamError":"APIError"`) {
		t.Errorf("unexpected output: %s", out)
	}
}
