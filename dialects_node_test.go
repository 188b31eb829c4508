package oaicompat_test

import (
	"context"
	"os"
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
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; CI installs it (see .ci/run)")
	}
	if _, err := os.Stat(filepath.Join("nodetest", "node_modules", "openai")); err != nil {
		t.Skip("nodetest/node_modules is missing: run `cd nodetest && npm ci` (CI does)")
	}
	srv := serveDialects(t, &nodeBackend{}, oaicompat.WithAzure(azureDeployments))
	cmd := exec.Command(node, "dialects.mjs", srv.URL)
	cmd.Dir = "nodetest"
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node dialects.mjs: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), `"roundTrip":"The weather: 18C"`) || !strings.Contains(string(out), `"streamError":"APIError"`) {
		t.Errorf("unexpected output: %s", out)
	}
}
