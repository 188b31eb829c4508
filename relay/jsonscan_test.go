package relay

import (
	"encoding/json"
	"strings"
	"testing"
)

// jsonCases are inputs at the edges of the grammar: numbers, escapes,
// control characters, literals, nesting, trailing bytes.
var jsonCases = []string{
	``, ` `, `{}`, `[]`, `""`, `"a"`, `0`, `-0`, `-`, `01`, `1.`, `.5`, `1.5`, `1e5`, `1E+5`, `1e-5`, `1e`, `1e+`,
	`-01`, `123456789012345678901234567890`, `true`, `tru`, `truex`, `false`, `null`, `nul`, `NaN`, `Infinity`,
	`"\u00e9"`, `"\u00g9"`, `"\u00e"`, `"\x"`, `"\/\b\f\n\r\t\\\""`, "\"a\tb\"", "\"a\x1fb\"", "\"\x7f\"",
	"\"\xff\xfe\"", `"unterminated`, `"\`, `{"a":1,}`, `[1,]`, `[,1]`, `{"a" 1}`, `{"a":}`, `{1:2}`, `{"a":1 "b":2}`,
	`[1 2]`, `{"a":[1,{"b":null}],"c":"d"}`, ` {"a" : [ 1 , 2 ] } `, "{\"a\":1}\n", `{} {}`, `{}x`, `[`, `]`, `}`,
	`{"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":null}`,
	"\t[\r\n]", "\v[]", "\u00a0[]",
	strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth),
	strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1),
	strings.Repeat(`{"a":`, maxDepth) + "1" + strings.Repeat("}", maxDepth),
	strings.Repeat(`{"a":`, maxDepth+1) + "1" + strings.Repeat("}", maxDepth+1),
}

// TestValidJSON holds validJSON to encoding/json's Valid on the edge cases.
func TestValidJSON(t *testing.T) {
	for _, s := range jsonCases {
		if got, want := validJSON([]byte(s)), json.Valid([]byte(s)); got != want {
			name := s
			if len(name) > 40 {
				name = name[:40] + "..."
			}
			t.Errorf("validJSON(%q) = %v, json.Valid says %v", name, got, want)
		}
	}
}

// FuzzValidJSON: validJSON agrees with encoding/json's Valid on any input.
func FuzzValidJSON(f *testing.F) {
	for _, s := range jsonCases {
		if len(s) < 200 {
			f.Add([]byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid says %v", b, got, want)
		}
	})
}
