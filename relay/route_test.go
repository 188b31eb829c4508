package relay

import (
	"fmt"
	"strings"
	"testing"
)

func TestMapping(t *testing.T) {
	m := newMapping(map[string]string{
		"gpt-4o":      "azure-gpt4o",
		"same":        "",
		"llama-*":     "meta-llama/Llama-*",
		"llama-3.1-*": "meta-llama/Meta-Llama-3.1-*-Instruct",
		"qwen*":       "",
		"*-mini":      "small",
		"a*b*c":       "x*y",
	})
	for _, tc := range []struct{ in, want string }{
		{"gpt-4o", "azure-gpt4o"},
		{"same", "same"},
		{"llama-3.1-70b", "meta-llama/Meta-Llama-3.1-70b-Instruct"}, // the longer pattern wins
		{"llama-2-7b", "meta-llama/Llama-2-7b"},
		{"qwen2.5-72b", "qwen2.5-72b"},
		{"o4-mini", "small"},
		{"aXXbYYc", "xXXy"},
		{"abc", "xy"},
		{"gpt-4", ""},
	} {
		got, ok := m.lookup(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("%s: %q %v, want %q", tc.in, got, ok, tc.want)
		}
	}
}

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, name, star string
		ok                  bool
	}{
		{"*", "", "", true},
		{"*", "abc", "abc", true},
		{"a*", "a", "", true},
		{"*c", "abc", "ab", true},
		{"a*c*e", "abcde", "b", true},
		{"a*c*e", "acce", "", true},
		{"a*b", "ac", "", false},
		{"abc", "abc", "", true},
		{"abc", "abd", "", false},
		{"a**b", "axxb", "", true},
	} {
		star, ok := glob(tc.pattern, tc.name)
		if star != tc.star || ok != tc.ok {
			t.Errorf("glob(%q, %q) = %q %v, want %q %v", tc.pattern, tc.name, star, ok, tc.star, tc.ok)
		}
	}
	// No exponential backtracking on hostile names.
	if globMatch(strings.Repeat("*a", 30)+"b", strings.Repeat("a", 5000)) {
		t.Error("matched")
	}
}

// testRelay builds a relay over upstreams named by their index, with the
// given priorities, weights and model maps, and a scripted random source.
func testRelay(t *testing.T, ups []Upstream, draws []float64, opts ...Option) *Relay {
	t.Helper()
	for i := range ups {
		if ups[i].Name == "" {
			ups[i].Name = fmt.Sprint(i)
		}
		ups[i].BaseURL = "http://127.0.0.1:1/v1"
	}
	i := 0
	opts = append(opts, func(o *options) {
		o.float = func() float64 {
			if len(draws) == 0 {
				return 0
			}
			d := draws[i%len(draws)]
			i++
			return d
		}
	})
	r, err := New(ups, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func names(cs []candidate) string {
	var b []string
	for _, c := range cs {
		b = append(b, c.up.name+":"+c.model)
	}
	return strings.Join(b, " ")
}

func TestCandidates(t *testing.T) {
	ups := []Upstream{
		{Name: "backup", Priority: 2},
		{Name: "a", Weight: 1, Models: map[string]string{"big": "big-a", "small": ""}},
		{Name: "b", Weight: 3, Models: map[string]string{"big": "big-b"}},
		{Name: "c", Priority: 1, Models: map[string]string{"big*": "c-*"}},
	}
	r := testRelay(t, ups, []float64{0.9, 0.1}, WithAliases(map[string]string{"gpt-*": "big"}), WithFallbacks(map[string][]string{"big": {"small"}}))
	// big: tier 0 (a, b) in weighted order, tier 1 (c), tier 2 (backup
	// serves everything); then the fallback small: a (already listed
	// with another model, so listed again), backup:small.
	// Draw 0.9 of total 4 → b (a covers [0,1), b [1,4)); then a.
	if got := names(r.candidates("gpt-4o")); got != "b:big-b a:big-a c:c- backup:big a:small backup:small" {
		t.Errorf("candidates = %s", got)
	}
	// Draw 0.1 → a first.
	r = testRelay(t, ups, []float64{0.1})
	if got := names(r.candidates("big")); got != "a:big-a b:big-b c:c- backup:big" {
		t.Errorf("candidates = %s", got)
	}
	if got := names(r.candidates("none")); got != "backup:none" {
		t.Errorf("candidates = %s", got)
	}
}

// TestWeightedShuffle: each upstream comes first in proportion to its
// weight, over evenly spread draws.
func TestWeightedShuffle(t *testing.T) {
	var draws []float64
	for i := 0; i < 1000; i++ {
		draws = append(draws, (float64(i)+0.5)/1000)
	}
	r := testRelay(t, []Upstream{{Name: "x", Weight: 1}, {Name: "y", Weight: 2}, {Name: "z", Weight: 7}}, draws)
	first := map[string]int{}
	for i := 0; i < 1000; i++ {
		cs := r.candidates("m")
		first[cs[0].up.name]++
	}
	if first["x"] != 100 || first["y"] != 200 || first["z"] != 700 {
		t.Errorf("first picks = %v, want 100/200/700", first)
	}
}
