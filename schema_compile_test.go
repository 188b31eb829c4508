package oaicompat

import (
	"fmt"
	"strings"
	"sync/atomic"
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

// bigSchema is a strict object schema of n string properties: n+2 objects.
func bigSchema(n int) []byte {
	var p, r strings.Builder
	for i := range n {
		if i > 0 {
			p.WriteByte(',')
			r.WriteByte(',')
		}
		fmt.Fprintf(&p, `"p%d":{"type":"string"}`, i)
		fmt.Fprintf(&r, `"p%d"`, i)
	}
	return []byte(`{"type":"object","additionalProperties":false,"properties":{` + p.String() + `},"required":[` + r.String() + `]}`)
}

// budgetTestRuns numbers the runs of TestSchemaSizeBounds.
var budgetTestRuns atomic.Int64

// TestSchemaSizeBounds: the compiler's work grows with the square of a
// schema's size, so a schema of more than maxSchemaObjects objects is
// refused without compiling, and one request has at most
// maxRequestSchemaObjects compiled; schemas from the cache are free.
func TestSchemaSizeBounds(t *testing.T) {
	if got := countObjects(map[string]any{"a": []any{map[string]any{}, 1, map[string]any{"b": map[string]any{}}}}, 100); got != 4 {
		t.Fatalf("countObjects = %d, want 4", got)
	}
	if got := countObjects(map[string]any{"a": map[string]any{}, "b": map[string]any{}}, 2); got != 2 {
		t.Fatalf("countObjects past its limit = %d, want 2", got)
	}
	tooBig := bigSchema(maxSchemaObjects)
	if issue := requestSchemaIssue(tooBig, nil, newSchemaBudget()); issue == nil || !strings.Contains(issue.String(), "more than 10000 objects") {
		t.Fatalf("a schema of %d objects: %v", maxSchemaObjects+2, issue)
	}
	// A request with 100 objects left: a schema of 62 compiles, the next
	// of 62 is over; a later request compiles that one.
	budget := &schemaBudget{left: 100}
	var second []byte
	run := budgetTestRuns.Add(1) // -count=N runs it again, with a warm cache
	for i := range 2 {
		s := bigSchema(60)
		s = append(s[:len(s)-1], fmt.Sprintf(`,"description":"budget test %d.%d"}`, run, i)...) // not in the cache
		second = s
		issue := requestSchemaIssue(s, nil, budget)
		if i == 0 && (issue != nil || budget.left != 38) {
			t.Fatalf("schema 0: %v, budget left %d", issue, budget.left)
		}
		if i == 1 && (issue == nil || !strings.Contains(issue.String(), "more than 20000 objects together")) {
			t.Fatalf("schema 1 over the request's budget: %v", issue)
		}
	}
	if issue := requestSchemaIssue(second, nil, newSchemaBudget()); issue != nil {
		t.Fatalf("the second schema in a request of its own: %v", issue)
	}
	// From the cache now, it costs a request nothing.
	spent := &schemaBudget{left: 1}
	if issue := requestSchemaIssue(second, nil, spent); issue != nil || spent.left != 1 {
		t.Fatalf("a cached schema: %v, budget left %d", issue, spent.left)
	}
}
