package relay_test

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/internal/testenv"
	"github.com/oaicompat/oaicompat/relay"
)

// nodeBinary returns the node binary; a missing Node or npm package fails
// the test unless OAICOMPAT_SKIP_MISSING=1 (see internal/testenv).
func nodeBinary(t *testing.T) string {
	t.Helper()
	node, _ := testenv.Node(t, filepath.Join("..", "..", "nodetest"), "openai")
	return node
}

// TestNodeSDK runs nodetest/relay.mjs: the openai npm SDK, with its
// default retries, against a relay in front of several upstreams.
func TestNodeSDK(t *testing.T) {
	node := nodeBinary(t)
	t.Parallel()
	ok := serveBackend(t, oaicompat.Funcs{
		ChatFunc: textBackend("Hello", " from", " upstream"),
		EmbedFunc: func(ctx context.Context, req *oaicompat.EmbeddingRequest) (*oaicompat.EmbeddingResult, error) {
			return &oaicompat.EmbeddingResult{Vectors: [][]float32{{0.5, -1.25}, {2, 0}}}, nil
		},
	})
	cut := newFaultServer(t, step{events: textStream("partial ", "answer")[:2], cut: true})
	spent := newFaultServer(t, step{status: 503, body: errorJSON("server_error", "", "", "overloaded")})
	big := strings.Repeat("z", 5<<20)
	bigUp := newFaultServer(t, step{events: []string{chunkJSON(`{"content":`+quote(big)+`}`, "stop")}, done: true})
	s := serveRelay(t, []relay.Upstream{
		{Name: "ok", BaseURL: ok, Models: map[string]string{"ok": ""}},
		{Name: "cut", BaseURL: cut.URL(), Models: map[string]string{"cut": ""}},
		{Name: "spent", BaseURL: spent.URL(), Models: map[string]string{"spent": ""}},
		{Name: "big", BaseURL: bigUp.URL(), Models: map[string]string{"big": ""}},
	})
	cmd := exec.Command(node, "relay.mjs", s.url)
	cmd.Dir = filepath.Join("..", "..", "nodetest")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node relay.mjs: %v\n%s\nrelay log:\n%s", err, out, s.log)
	}
	var res struct {
		Chat      string `json:"chat"`
		Usage     int    `json:"usage"`
		Cut       string `json:"cut"`
		BigLength int    `json:"bigLength"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("output %s: %v", out, err)
	}
	if res.Chat != "Hello from upstream" || res.Usage != 14 || res.Cut != "partial " || res.BigLength != len(big) {
		t.Errorf("results = %+v", res)
	}
	if n := len(spent.Requests()); n != 3 {
		t.Errorf("the failing upstream got %d requests, want 3: the relay's, with no SDK retries on top", n)
	}
}
