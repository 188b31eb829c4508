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

func TestSchemaCacheBounds(t *testing.T) {
	l := &schemaLRU{m: map[string]*compiledSchema{}, max: 4, maxBytes: 80}
	for i := 0; i < 20; i++ {
		key := []byte(strings.Repeat("x", i%10+1))
		key[0] = byte('a' + i)
		l.put(key, &compiledSchema{})
		total := 0
		for k := range l.m {
			total += len(k)
		}
		if len(l.m) > l.max || total > l.maxBytes || total != l.bytes {
			t.Fatalf("after %d puts: %d entries, %d bytes (counted %d)", i+1, len(l.m), total, l.bytes)
		}
		if l.get(key) == nil {
			t.Fatalf("entry %q was not kept", key)
		}
	}
	l.put([]byte(strings.Repeat("y", 11)), &compiledSchema{}) // > maxBytes/8
	if l.get([]byte(strings.Repeat("y", 11))) != nil {
		t.Error("a schema larger than maxBytes/8 was cached")
	}
}
