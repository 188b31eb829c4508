package main

import (
	"strings"
	"testing"
)

func TestToJSON(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, in, want string }{
		{"json as is", `{"b": 1, "a": [true]}`, `{"b": 1, "a": [true]}`},
		{"empty", "# only a comment\n", `{}`},
		{"scalars", "i: 0x10\nf: 1.5\nb: true\nn: ~\ns: yes\nd: 2024-01-01\nq: '42'\nbig: 18446744073709551615",
			`{"i":16,"f":1.5,"b":true,"n":null,"s":"yes","d":"2024-01-01","q":"42","big":18446744073709551615}`},
		{"order kept", "z: 1\na: 2", `{"z":1,"a":2}`},
		{"anchors and merge keys", "base: &b {x: 1, y: 2}\nrule: {<<: *b, y: 3}\nlist: [*b]",
			`{"base":{"x":1,"y":2},"rule":{"y":3,"x":1},"list":[{"x":1,"y":2}]}`},
		{"merge of several", "a: &a {x: 1}\nb: &b {y: 2}\nc: {<<: [*a, *b]}", `{"a":{"x":1},"b":{"y":2},"c":{"x":1,"y":2}}`},
		{"block text", "text: |\n  two\n  lines\n", `{"text":"two\nlines\n"}`},
	} {
		got, err := toJSON([]byte(c.in))
		if err != nil || string(got) != c.want {
			t.Errorf("%s: got %s, %v\nwant %s", c.name, got, err, c.want)
		}
	}
}

func TestToJSONErrors(t *testing.T) {
	t.Parallel()
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 'b'; i <= 'k'; i++ {
		bomb += string(i) + ": &" + string(i) + " [" + strings.Repeat("*"+string(i-1)+", ", 9) + "*" + string(i-1) + "]\n"
	}
	for _, c := range []struct{ name, in, want string }{
		{"syntax", "a: [1, 2", "yaml:"},
		{"key twice", "a: 1\nb: 2\na: 3", `line 3: key "a" is set twice`},
		{"key not a string", "? [1]\n: x", "line 1: a mapping key must be a plain string"},
		{"infinity", "x: .inf", "line 1: .inf has no JSON form"},
		{"merge of a scalar", "a: 1\nb: {<<: 2}", "line 2: a merge key takes a mapping"},
		{"billion laughs", bomb, "more than 10000 aliases to expand"},
		{"too big", "a: &a \"" + strings.Repeat("x", 1<<20) + "\"\nb: [" + strings.Repeat("*a, ", 20) + "*a]", "expands to more than 16 MiB"},
	} {
		if _, err := toJSON([]byte(c.in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		}
	}
}
