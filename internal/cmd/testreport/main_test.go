package main

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/run.golden")

// TestReport: a recorded `go test -json` run of three packages (one passes
// with a skipped test, one fails a test, one does not build) gives the
// report in testdata/run.golden: the skip reason, the failed test's whole
// output, the build error, and a failing summary.
func TestReport(t *testing.T) {
	in, err := os.Open("testdata/run.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var out strings.Builder
	r := &report{w: &out, output: map[string][]string{}}
	if err := r.read(in); err != nil {
		t.Fatal(err)
	}
	if !r.failed || r.skipped != 1 || r.packages != 3 {
		t.Errorf("failed=%v skipped=%d packages=%d, want true 1 3", r.failed, r.skipped, r.packages)
	}
	if *update {
		if err := os.WriteFile("testdata/run.golden", []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/run.golden")
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("report:\n%s\nwant:\n%s", out.String(), want)
	}
}

// TestReason: the skip message is the test's own output, without go test's
// framing lines.
func TestReason(t *testing.T) {
	for _, tt := range []struct {
		lines []string
		want  string
	}{
		{[]string{"=== RUN   TestX\n", "    x_test.go:4: node is not installed\n", "--- SKIP: TestX (0.00s)\n"}, "x_test.go:4: node is not installed"},
		{[]string{"=== RUN   TestX\n", "--- SKIP: TestX (0.00s)\n"}, "(no reason given)"},
		{nil, "(no reason given)"},
	} {
		if got := reason(tt.lines); got != tt.want {
			t.Errorf("reason(%q) = %q, want %q", tt.lines, got, tt.want)
		}
	}
}
