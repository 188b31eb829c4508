package oaicompat

import (
	"strings"
	"testing"
)

func TestPyTuple(t *testing.T) {
	for path, want := range map[string]string{"": "()", "a": "('a',)", "a/b": "('a', 'b')", `it's/x\y`: `('it\'s', 'x\\y')`} {
		var p []string
		if path != "" {
			p = strings.Split(path, "/")
		}
		if got := pyTuple(p); got != want {
			t.Errorf("pyTuple(%q) = %s, want %s", path, got, want)
		}
	}
}
