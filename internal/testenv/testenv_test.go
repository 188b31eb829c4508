package testenv

import (
	"fmt"
	"runtime"
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
