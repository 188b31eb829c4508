package relay

import (
	"slices"
	"strings"
)

// Routing turns the client's model name into an ordered list of
// candidates, once per request (a snapshot: health changes during the
// request never shift it):
//
//  1. the name goes through WithAliases (exact, then the longest pattern);
//  2. the model, then its WithFallbacks in order, each in turn:
//  3. the upstreams serving it (Upstream.Models), by ascending Priority;
//  4. within one Priority, in weighted random order (Upstream.Weight);
//  5. duplicates (same upstream and upstream model) dropped.

// candidate is one upstream and the name of the model there.
type candidate struct {
	up    *upstream
	model string
}

// mapping maps names through exact entries and '*' patterns.
type mapping struct {
	exact    map[string]string
	patterns []pattern // longest first
}

type pattern struct{ key, value string }

func newMapping(m map[string]string) mapping {
	var mp mapping
	for k, v := range m {
		if strings.Contains(k, "*") {
			mp.patterns = append(mp.patterns, pattern{k, v})
			continue
		}
		if mp.exact == nil {
			mp.exact = map[string]string{}
		}
		mp.exact[k] = v
	}
	slices.SortFunc(mp.patterns, func(a, b pattern) int {
		if len(a.key) != len(b.key) {
			return len(b.key) - len(a.key)
		}
		return strings.Compare(a.key, b.key)
	})
	return mp
}

func (m mapping) empty() bool { return len(m.exact) == 0 && len(m.patterns) == 0 }

// lookup maps name; an empty value maps a name to itself, and a '*' in a
// pattern's value is replaced by what the pattern's first '*' matched.
func (m mapping) lookup(name string) (string, bool) {
	if v, ok := m.exact[name]; ok {
		if v == "" {
			return name, true
		}
		return v, true
	}
	for _, p := range m.patterns {
		star, ok := glob(p.key, name)
		if !ok {
			continue
		}
		switch {
		case p.value == "":
			return name, true
		case strings.Contains(p.value, "*"):
			return strings.Replace(p.value, "*", star, 1), true
		}
		return p.value, true
	}
	return "", false
}

// keys returns the exact names of the mapping.
func (m mapping) keys() []string {
	out := make([]string, 0, len(m.exact))
	for k := range m.exact {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// glob matches name against pattern, where '*' matches any run of
// characters, and returns the text the first '*' matched (the shortest
// that lets the rest match).
func glob(pattern, name string) (string, bool) {
	first := strings.IndexByte(pattern, '*')
	if first < 0 {
		return "", pattern == name
	}
	prefix, rest := pattern[:first], pattern[first+1:]
	if !strings.HasPrefix(name, prefix) {
		return "", false
	}
	tail := name[len(prefix):]
	for i := 0; i <= len(tail); i++ {
		if globMatch(rest, tail[i:]) {
			return tail[:i], true
		}
	}
	return "", false
}

// globMatch reports whether name matches pattern ('*' any run), in time
// linear in their lengths' product (no exponential backtracking).
func globMatch(pattern, name string) bool {
	px, nx := 0, 0
	nextPx, nextNx := 0, 0
	for px < len(pattern) || nx < len(name) {
		if px < len(pattern) {
			c := pattern[px]
			if c == '*' {
				nextPx, nextNx = px, nx+1
				px++
				continue
			}
			if nx < len(name) && name[nx] == c {
				px++
				nx++
				continue
			}
		}
		if 0 < nextNx && nextNx <= len(name) {
			px, nx = nextPx, nextNx
			continue
		}
		return false
	}
	return true
}

// resolve applies the aliases to the client's model name.
func (r *Relay) resolve(model string) string {
	if m, ok := r.aliases.lookup(model); ok {
		return m
	}
	return model
}

// candidates returns the ordered candidates for the client's model.
func (r *Relay) candidates(model string) []candidate {
	name := r.resolve(model)
	models := append([]string{name}, r.opts.fallbacks[name]...)
	var out []candidate
	for _, m := range models {
		// r.ups is sorted by priority: take one tier at a time.
		for i := 0; i < len(r.ups); {
			j := i
			tier := len(out)
			for ; j < len(r.ups) && r.ups[j].cfg.Priority == r.ups[i].cfg.Priority; j++ {
				if um, ok := r.ups[j].serves(m); ok && !containsCandidate(out, r.ups[j], um) {
					out = append(out, candidate{r.ups[j], um})
				}
			}
			r.shuffle(out[tier:])
			i = j
		}
	}
	return out
}

func containsCandidate(cs []candidate, u *upstream, model string) bool {
	for _, c := range cs {
		if c.up == u && c.model == model {
			return true
		}
	}
	return false
}

// shuffle puts cs in weighted random order: each position is drawn among
// the candidates left with probability proportional to their weights.
func (r *Relay) shuffle(cs []candidate) {
	for i := 0; i < len(cs)-1; i++ {
		total := 0
		for _, c := range cs[i:] {
			total += c.up.cfg.Weight
		}
		x := r.opts.float() * float64(total)
		k := i
		for ; k < len(cs)-1; k++ {
			x -= float64(cs[k].up.cfg.Weight)
			if x < 0 {
				break
			}
		}
		cs[i], cs[k] = cs[k], cs[i]
	}
}
