package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// Node returns the node binary that nodetest/package.json installs (the
// SDKs there need Node 22 or later, which Debian does not ship, so npm
// installs it as the package "node") and nodetest's absolute path, given
// its path from the test's directory. A missing install, or a missing
// npm package among modules, ends the test through Missing.
func Node(t testing.TB, nodetest string, modules ...string) (node, dir string) {
	t.Helper()
	dir, err := filepath.Abs(nodetest)
	if err != nil {
		t.Fatal(err)
	}
	const install = "install npm (apt-get install nodejs npm) and run `cd nodetest && npm ci`"
	node = filepath.Join(dir, "node_modules", ".bin", "node")
	if _, err := os.Stat(node); err != nil {
		Missing(t, "nodetest/node_modules/.bin/node is missing", install)
	}
	for _, m := range modules {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", m)); err != nil {
			Missing(t, "nodetest/node_modules/"+m+" is missing", install)
		}
	}
	return node, dir
}
