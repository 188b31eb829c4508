// Package testenv finds the external programs some tests need (node,
// redis-server, curl) and decides what a missing one means.
//
// `go test` in package-list mode (go test ./..., go test work) prints
// nothing of a package that passes, t.Skip reasons and TestMain output
// included, unless -v is given. A test that skipped for a missing tool
// would therefore vanish silently. So a missing tool fails the test by
// default, saying what is missing and how to install it; a developer
// who knowingly runs without it sets OAICOMPAT_SKIP_MISSING=1 and the
// test skips with the same reason (shown by go test -v). OAICOMPAT_CI=1,
// which .ci/run sets, makes a missing tool a failure even then.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// Environment variables read by Missing.
const (
	EnvSkipMissing = "OAICOMPAT_SKIP_MISSING" // "1": skip tests whose tools are missing
	EnvCI          = "OAICOMPAT_CI"           // "1": never skip for a missing tool
)

// LookPath returns the path of the program name, or ends the test through
// Missing with install as the way to get it.
func LookPath(t testing.TB, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name+" is not installed", install)
	}
	return path
}

// Missing ends the test because what it needs is missing (what, e.g.
// "node is not installed") and install says how to get it (e.g. "apt-get
// install nodejs npm"). It fails the test unless EnvSkipMissing is "1"
// and EnvCI is not, in which case it skips it.
func Missing(t testing.TB, what, install string) {
	t.Helper()
	if os.Getenv(EnvSkipMissing) == "1" && os.Getenv(EnvCI) != "1" {
		t.Skipf("%s (%s); skipped because %s=1", what, install, EnvSkipMissing)
	}
	if os.Getenv(EnvCI) == "1" {
		t.Fatalf("%s (%s); %s=1 forbids skipping", what, install, EnvCI)
	}
	t.Fatalf("%s: %s, or set %s=1 to skip the tests that need it", what, install, EnvSkipMissing)
}

// BuildFlags returns the flags for a `go build` run by a test: those the
// test binary was built with (-race), so that the build reuses the
// packages the test's own compile left in the build cache instead of
// compiling the standard library and every dependency a second time.
func BuildFlags() []string {
	return append([]string(nil), buildFlags...)
}
