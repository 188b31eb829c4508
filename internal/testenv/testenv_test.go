package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB that records how a test ended.
type recorder struct {
	testing.TB
	ended, msg string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.ended, r.msg = "fail", fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Skipf(format string, args ...any) {
	r.ended, r.msg = "skip", fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls f with a recorder in its own goroutine (Fatalf and Skipf end it).
func run(t *testing.T, f func(testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() { defer close(done); f(r) }()
	<-done
	return r
}

func TestMissing(t *testing.T) {
	for _, c := range []struct {
		skip, ci, ended, msg string
	}{
		{"", "", "fail", "nodejs is not installed: apt-get install nodejs, or set OAICOMPAT_SKIP_MISSING=1 to skip the tests that need it"},
		{"1", "", "skip", "nodejs is not installed (apt-get install nodejs); skipped because OAICOMPAT_SKIP_MISSING=1"},
		{"1", "1", "fail", "nodejs is not installed (apt-get install nodejs); OAICOMPAT_CI=1 forbids skipping"},
		{"", "1", "fail", "nodejs is not installed (apt-get install nodejs); OAICOMPAT_CI=1 forbids skipping"},
	} {
		t.Setenv(EnvSkipMissing, c.skip)
		t.Setenv(EnvCI, c.ci)
		r := run(t, func(tb testing.TB) { LookPath(tb, "no-such-program-oaicompat", "x") })
		if r.ended != c.ended {
			t.Errorf("skip=%q ci=%q: ended %q", c.skip, c.ci, r.ended)
		}
		r = run(t, func(tb testing.TB) { Missing(tb, "nodejs is not installed", "apt-get install nodejs") })
		if r.ended != c.ended || r.msg != c.msg {
			t.Errorf("skip=%q ci=%q:\n got %s: %s\nwant %s: %s", c.skip, c.ci, r.ended, r.msg, c.ended, c.msg)
		}
	}
}

func TestLookPathFinds(t *testing.T) {
	if path := LookPath(t, "go", "it runs this test"); path == "" {
		t.Error("go not found")
	}
}

func TestNode(t *testing.T) {
	t.Setenv(EnvSkipMissing, "")
	t.Setenv(EnvCI, "")
	dir := t.TempDir()
	bin := filepath.Join(dir, "node_modules", ".bin")
	r := run(t, func(tb testing.TB) { Node(tb, dir) })
	if r.ended != "fail" || !strings.Contains(r.msg, "nodetest/node_modules/.bin/node is missing") {
		t.Errorf("no install: %s: %s", r.ended, r.msg)
	}
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "node"), nil, 0o755); err != nil {
		t.Fatal(err)
	}
	r = run(t, func(tb testing.TB) { Node(tb, dir, "openai") })
	if r.ended != "fail" || !strings.Contains(r.msg, "nodetest/node_modules/openai is missing") {
		t.Errorf("no openai: %s: %s", r.ended, r.msg)
	}
	if err := os.Mkdir(filepath.Join(dir, "node_modules", "openai"), 0o755); err != nil {
		t.Fatal(err)
	}
	node, got := Node(t, dir, "openai")
	if node != filepath.Join(bin, "node") || got != dir {
		t.Errorf("Node = %s, %s", node, got)
	}
}
