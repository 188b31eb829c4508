package main

import (
	"encoding/json"
	"os"
	"testing"
)

// FuzzRuntimeRules feeds POST /__oaimock/rules bodies (YAML or JSON) to
// the decoder: it never panics, and what it converts is valid JSON.
func FuzzRuntimeRules(f *testing.F) {
	example, err := os.ReadFile("scenario.example.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add([]byte(`{"position":"last","rules":[{"match":{"last_user":{"regexp":"^a"}},"times":"any","reply":{"text":"b","retry_after":"1s"}}]}`))
	f.Add([]byte("a: &a {x: [1, 2]}\nb: {<<: *a, y: *a}\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		if b, err := toJSON(body); err == nil && !json.Valid(b) {
			t.Fatalf("toJSON(%q) = %q: not JSON", body, b)
		}
		_, _, _ = runtimeRules(body)
	})
}
