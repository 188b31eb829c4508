// Package publish checks that the repository's modules can be fetched and
// used as a user would once they are tagged: from a module proxy, at a
// version, without the workspace.
package publish

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat/conformance/modproxy"
	"github.com/oaicompat/oaicompat/internal/testenv"
)

// version is the version the modules require each other at (see go.work
// and scripts/release.sh).
const version = "v0.1.0"

// consumer is a program of a user's: the handler mounted in echo v5 through
// the adapter (v5 rather than v4: 63 packages to compile instead of 83,
// which a cold run of the suite feels).
const consumer = `package main

import (
	"context"
	"log"
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/adapters/echov5"
)

func main() {
	backend := oaicompat.ChatFunc(func(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		return w.WriteText("You said: " + req.LastUserMessage())
	})
	e := echo.New()
	api := echov5.Register(e.Group("/llm"), "/v1", backend)
	e.HTTPErrorHandler = api.ErrorHandler(e.HTTPErrorHandler)
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", e))
}
`

// TestConsumerOutsideTheRepository serves the repository's modules from a
// file-based GOPROXY (their zips as the Go proxy would serve them once
// tagged), then, in a module outside the repository and without go.work,
// go gets the root and the echo v5 adapter at their version and builds a
// program using both. The consumer's go.mod must name them at that version
// and nothing a handler user does not need (no SDK, Redis or
// OpenTelemetry).
func TestConsumerOutsideTheRepository(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	mods, err := modproxy.Modules(root)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	proxy := filepath.Join(tmp, "proxy")
	if err := modproxy.Write(proxy, version, mods); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "consumer")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"go.mod": "module example.com/consumer\n\ngo 1.25.0\n", "main.go": consumer} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goEnv := func(name string) string {
		out, err := exec.Command("go", "env", name).Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	// A module cache of its own, so that these zips never stand in for the
	// published ones in the user's cache; third-party modules come from
	// the user's cache, else from the usual proxy. A new one each run:
	// the build cache trusts a module version's packages to never change,
	// so a cache kept between runs built the new zips against packages
	// compiled from older ones.
	modcache := filepath.Join(tmp, "modcache")
	env := append(os.Environ(),
		"GOWORK=off", "GOFLAGS=-mod=mod -modcacherw "+os.Getenv("GOFLAGS"),
		"GOPROXY=file://"+filepath.ToSlash(proxy)+",file://"+filepath.ToSlash(filepath.Join(goEnv("GOMODCACHE"), "cache", "download"))+","+goEnv("GOPROXY"),
		"GONOSUMDB=github.com/oaicompat", "GOPRIVATE=", "GOMODCACHE="+modcache)
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("get", "github.com/oaicompat/oaicompat@"+version, "github.com/oaicompat/oaicompat/adapters/echov5@"+version)
	// With the test's own flags (-race), the standard library comes from
	// the build cache; the modules, unpacked in a cache of their own, are
	// compiled afresh.
	run(append(append([]string{"build"}, testenv.BuildFlags()...), "-o", filepath.Join(tmp, "server"), ".")...)

	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"github.com/oaicompat/oaicompat " + version, "github.com/oaicompat/oaicompat/adapters/echov5 " + version} {
		if !strings.Contains(string(gomod), want) {
			t.Errorf("the consumer's go.mod lacks %q:\n%s", want, gomod)
		}
	}
	for _, heavy := range []string{"openai-go", "go-openai", "anthropic-sdk-go", "go-redis", "opentelemetry"} {
		if strings.Contains(string(gomod), heavy) {
			t.Errorf("the consumer's go.mod requires %s:\n%s", heavy, gomod)
		}
	}
	if _, err := os.Stat(filepath.Join(tmp, "server")); err != nil {
		t.Fatalf("no program built: %v", err)
	}
}
