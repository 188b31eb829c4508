// Command testreport turns the output of `go test -json` into the report a
// person wants from the whole suite: one line per package as it finishes
// (status and time), every skipped test with its reason (which plain
// `go test` hides unless -v is given), and the whole output of every failed
// test and of every build failure. It exits 1 when anything failed.
//
//	go test -json ./... | go run ./internal/cmd/testreport
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// event is one line of `go test -json` (see `go doc test2json`).
type event struct {
	Action     string
	Package    string
	ImportPath string // build-output and build-fail events
	Test       string
	Elapsed    float64
	Output     string
}

// report accumulates the events of a run.
type report struct {
	w        io.Writer
	output   map[string][]string // package + "\x00" + test → output lines
	failed   bool
	packages int
	skipped  int
}

func main() {
	r := &report{w: os.Stdout, output: map[string][]string{}}
	if err := r.read(os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "testreport:", err)
		os.Exit(2)
	}
	if r.failed {
		os.Exit(1)
	}
}

// read consumes events until EOF, printing as it goes, and a summary.
func (r *report) read(in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			// Not an event (a message of go itself): pass it on.
			fmt.Fprintf(r.w, "%s\n", line)
			continue
		}
		r.event(e)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	status := "passed"
	if r.failed {
		status = "FAILED"
	}
	fmt.Fprintf(r.w, "%d packages, %d tests skipped: %s\n", r.packages, r.skipped, status)
	return nil
}

// event handles one event.
func (r *report) event(e event) {
	pkg := e.Package
	if pkg == "" {
		pkg = e.ImportPath
	}
	key := pkg + "\x00" + e.Test
	switch e.Action {
	case "output", "build-output":
		r.output[key] = append(r.output[key], e.Output)
	case "build-fail":
		r.failed = true
		fmt.Fprintf(r.w, "FAIL   %s (build)\n%s", pkg, strings.Join(r.output[key], ""))
		delete(r.output, key)
	case "skip":
		if e.Test != "" {
			r.skipped++
			fmt.Fprintf(r.w, "SKIP   %s %s: %s\n", pkg, e.Test, reason(r.output[key]))
		}
		delete(r.output, key)
	case "pass":
		if e.Test == "" {
			r.packages++
			fmt.Fprintf(r.w, "ok     %s (%.1fs)\n", pkg, e.Elapsed)
			r.forget(pkg)
		} else {
			delete(r.output, key)
		}
	case "fail":
		r.failed = true
		if e.Test != "" {
			fmt.Fprintf(r.w, "--- FAIL %s %s (%.2fs)\n%s", pkg, e.Test, e.Elapsed, strings.Join(r.output[key], ""))
			delete(r.output, key)
			return
		}
		r.packages++
		// Output outside any test (a panic in TestMain, a timeout) is
		// shown with the package's line.
		fmt.Fprintf(r.w, "FAIL   %s (%.1fs)\n%s", pkg, e.Elapsed, strings.Join(r.output[key], ""))
		r.forget(pkg)
	}
}

// forget drops what is left of a finished package's output.
func (r *report) forget(pkg string) {
	for k := range r.output {
		if strings.HasPrefix(k, pkg+"\x00") {
			delete(r.output, k)
		}
	}
}

// reason picks the skip message out of a skipped test's output: the lines
// after "--- SKIP", indented by go test.
func reason(lines []string) string {
	var msg []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- SKIP") {
			continue
		}
		msg = append(msg, t)
	}
	if len(msg) == 0 {
		return "(no reason given)"
	}
	return strings.Join(msg, " ")
}
