package jsonx

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
	strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth),
	strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1),
	strings.Repeat(`{"a":`, MaxDepth) + "1" + strings.Repeat("}", MaxDepth),
	strings.Repeat(`{"a":`, MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1),
}

// TestValid holds Valid to encoding/json's on the edge cases.
func TestValid(t *testing.T) {
	for _, s := range jsonCases {
		if got, want := Valid([]byte(s)), json.Valid([]byte(s)); got != want {
			name := s
			if len(name) > 40 {
				name = name[:40] + "..."
			}
			t.Errorf("Valid(%q) = %v, json.Valid says %v", name, got, want)
		}
	}
}

// FuzzValid: Valid agrees with encoding/json's on any input.
func FuzzValid(f *testing.F) {
	for _, s := range jsonCases {
		if len(s) < 200 {
			f.Add([]byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := Valid(b), json.Valid(b); got != want {
			t.Fatalf("Valid(%q) = %v, json.Valid says %v", b, got, want)
		}
	})
}

// TestScanAtEnd: each Scan function, called at or past the end of its
// input (a body cut short), reports false instead of reading past it.
func TestScanAtEnd(t *testing.T) {
	for _, b := range [][]byte{nil, []byte(`{"a":`), []byte(`-`)} {
		for _, i := range []int{len(b), len(b) + 1} {
			if _, ok := ScanNumber(b, i); ok {
				t.Errorf("ScanNumber(%q, %d) ok", b, i)
			}
			if _, ok := ScanString(b, i); ok {
				t.Errorf("ScanString(%q, %d) ok", b, i)
			}
			if _, ok := ScanValue(b, i, 0); ok {
				t.Errorf("ScanValue(%q, %d) ok", b, i)
			}
			if _, ok := ScanLiteral(b, i, "null"); ok {
				t.Errorf("ScanLiteral(%q, %d) ok", b, i)
			}
		}
	}
}
