package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat/internal/testenv"
)

func writeFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o644) }

// TestNodeSDK runs the official openai npm package (nodetest/) against
// oaimock: the Node script drives the control API and asserts with
// node:test. CI installs Node and runs npm ci in nodetest/.
func TestNodeSDK(t *testing.T) {
	node, dir := testenv.Node(t, "../../nodetest", "openai")
	t.Parallel()
	config := filepath.Join(t.TempDir(), "strict.yaml")
	if err := writeFile(config, "strict: true # the Node tests add their rules through the control API\n"); err != nil {
		t.Fatal(err)
	}
	ts, _ := start(t, config)
	cmd := exec.Command(node, "--test", "--test-reporter=spec", "oaimock.test.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "OAIMOCK_URL="+ts.URL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "fail 0") {
		t.Errorf("unexpected node output:\n%s", out)
	}
	t.Logf("node:\n%s", out)
}
