// Package schemagen generates deterministic values that are valid against a
// JSON Schema. The oaitest mock answers schema-constrained requests with
// them, and so does the quickstart demo.
package schemagen

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Generate returns a value valid against the JSON Schema schema, chosen
// deterministically: every declared property of an object, the minimum
// number of items of an array (at least one), the first enum value or the
// const, the first non-null branch of anyOf/oneOf, merged allOf branches,
// local $refs (#/$defs/..., #/definitions/...), nullable types answered
// with their non-null type, strings honouring format, minLength and
// maxLength, numbers honouring minimum/maximum (exclusive too) and
// multipleOf. A pattern is not honoured. An empty or unreadable schema
// gives an empty object.
func Generate(schema json.RawMessage) any {
	var root any
	if len(schema) == 0 || json.Unmarshal(schema, &root) != nil || root == nil {
		return map[string]any{}
	}
	g := generator{root: root}
	return g.value(root, 0, 0)
}

type generator struct{ root any }

// maxDepth bounds recursion through $refs; below it only required
// properties are generated.
const maxDepth = 6

func (g *generator) value(node any, depth, variant int) any {
	s, ok := node.(map[string]any)
	if !ok {
		if b, isBool := node.(bool); isBool && !b {
			return nil
		}
		return "example"
	}
	if ref, ok := s["$ref"].(string); ok {
		if target := g.resolve(ref); target != nil && depth < 4*maxDepth {
			return g.value(target, depth+1, variant)
		}
	}
	if c, ok := s["const"]; ok {
		return c
	}
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		return enum[variant%len(enum)]
	}
	for _, key := range []string{"anyOf", "oneOf"} {
		if branches, ok := s[key].([]any); ok && len(branches) > 0 {
			return g.value(pickBranch(branches, depth), depth+1, variant)
		}
	}
	if all, ok := s["allOf"].([]any); ok && len(all) > 0 {
		return g.value(g.merge(s, all), depth+1, variant)
	}
	typ := schemaType(s)
	if depth >= maxDepth && allowsNull(s) {
		typ = "null"
	}
	switch typ {
	case "object":
		return g.object(s, depth, variant)
	case "array":
		return g.array(s, depth, variant)
	case "integer":
		return integerValue(s, variant)
	case "number":
		return numberValue(s, variant)
	case "boolean":
		return true
	case "null":
		return nil
	}
	return stringValue(s, variant)
}

// schemaType returns the schema's type: the first non-null one of a type
// list, or one inferred from its keywords.
// allowsNull reports whether a type list includes "null".
func allowsNull(s map[string]any) bool {
	list, _ := s["type"].([]any)
	for _, x := range list {
		if x == "null" {
			return true
		}
	}
	return false
}

func schemaType(s map[string]any) string {
	switch t := s["type"].(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if x != "null" {
				return x.(string)
			}
		}
		if len(t) > 0 {
			return "null"
		}
	}
	switch {
	case s["properties"] != nil || s["required"] != nil || s["additionalProperties"] != nil:
		return "object"
	case s["items"] != nil || s["prefixItems"] != nil:
		return "array"
	case s["minimum"] != nil || s["maximum"] != nil || s["multipleOf"] != nil:
		return "number"
	}
	return "string"
}

// pickBranch chooses the branch of an anyOf/oneOf to generate: the first
// non-null one, or, deep in a recursive schema, null or a branch without
// a $ref so that generation ends.
func pickBranch(branches []any, depth int) any {
	isNull := func(b any) bool { m, ok := b.(map[string]any); return ok && m["type"] == "null" }
	hasRef := func(b any) bool { m, ok := b.(map[string]any); return ok && m["$ref"] != nil }
	if depth >= maxDepth {
		for _, b := range branches {
			if isNull(b) {
				return b
			}
		}
		for _, b := range branches {
			if !hasRef(b) {
				return b
			}
		}
	}
	for _, b := range branches {
		if !isNull(b) {
			return b
		}
	}
	return branches[0]
}

// resolve follows a local JSON pointer.
func (g *generator) resolve(ref string) any {
	if !strings.HasPrefix(ref, "#") {
		return nil
	}
	node := g.root
	for _, tok := range strings.Split(strings.TrimPrefix(ref, "#"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch n := node.(type) {
		case map[string]any:
			node = n[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n) {
				return nil
			}
			node = n[i]
		default:
			return nil
		}
	}
	return node
}

// merge folds allOf branches (and the schema's own keywords) into one
// schema: properties and required are united, the rest taken from the
// first branch that sets it.
func (g *generator) merge(s map[string]any, all []any) map[string]any {
	out := map[string]any{}
	props := map[string]any{}
	var required []any
	for _, b := range append([]any{s}, all...) {
		m, ok := b.(map[string]any)
		if !ok {
			continue
		}
		if ref, ok := m["$ref"].(string); ok {
			if t, ok := g.resolve(ref).(map[string]any); ok {
				m = t
			}
		}
		for k, v := range m {
			switch k {
			case "allOf", "$ref":
			case "properties":
				if pm, ok := v.(map[string]any); ok {
					for pk, pv := range pm {
						props[pk] = pv
					}
				}
			case "required":
				if r, ok := v.([]any); ok {
					required = append(required, r...)
				}
			default:
				if _, set := out[k]; !set {
					out[k] = v
				}
			}
		}
	}
	if len(props) > 0 {
		out["properties"] = props
	}
	if required != nil {
		out["required"] = required
	}
	return out
}

func (g *generator) object(s map[string]any, depth, variant int) any {
	out := map[string]any{}
	props, _ := s["properties"].(map[string]any)
	required := requiredSet(s)
	for _, name := range sortedKeys(props) {
		if depth >= maxDepth && !required[name] {
			continue
		}
		out[name] = g.value(props[name], depth+1, variant)
	}
	for name := range required {
		if _, done := out[name]; !done {
			out[name] = "example"
		}
	}
	return out
}

func (g *generator) array(s map[string]any, depth, variant int) any {
	n := 1
	if v, ok := s["minItems"].(float64); ok {
		n = max(int(v), n)
	}
	if v, ok := s["maxItems"].(float64); ok {
		n = min(int(v), n)
	}
	prefix, _ := s["prefixItems"].([]any)
	n = max(n, len(prefix))
	out := make([]any, n)
	for i := range out {
		item := s["items"]
		if i < len(prefix) {
			item = prefix[i]
		}
		if item == nil {
			item = map[string]any{}
		}
		out[i] = g.value(item, depth+1, variant+i)
	}
	return out
}

func num(s map[string]any, key string) (float64, bool) {
	v, ok := s[key].(float64)
	return v, ok
}

// numberValue picks a number inside the schema's bounds.
func numberValue(s map[string]any, variant int) float64 {
	lo, hasLo := num(s, "minimum")
	hi, hasHi := num(s, "maximum")
	exLo, hasExLo := num(s, "exclusiveMinimum")
	exHi, hasExHi := num(s, "exclusiveMaximum")
	v := float64(variant)
	switch {
	case hasLo:
		v = lo + float64(variant)
	case hasExLo:
		v = exLo + 1 + float64(variant)
	case hasHi && v > hi:
		v = hi
	case hasExHi && v >= exHi:
		v = exHi - 1
	}
	// Bring v back inside an upper bound, between the bounds.
	if hasHi && v > hi {
		v = hi
	}
	if hasExHi && v >= exHi {
		low := math.Inf(-1)
		if hasLo {
			low = lo
		}
		if hasExLo {
			low = exLo
		}
		if math.IsInf(low, -1) {
			v = exHi - 1
		} else {
			v = (low + exHi) / 2
		}
	}
	if hasExLo && v <= exLo {
		v = exLo + 1
		if hasHi || hasExHi {
			top := hi
			if hasExHi {
				top = exHi
			}
			v = (exLo + top) / 2
		}
	}
	if m, ok := num(s, "multipleOf"); ok && m > 0 {
		v = math.Ceil(v/m) * m
	}
	return v
}

// integerValue picks an integer inside the schema's bounds.
func integerValue(s map[string]any, variant int) int64 {
	v := numberValue(s, variant)
	c := math.Ceil(v)
	if hi, ok := num(s, "maximum"); ok && c > hi {
		c = math.Floor(v)
	}
	if exLo, ok := num(s, "exclusiveMinimum"); ok && c <= exLo {
		c = math.Floor(exLo) + 1
	}
	if m, ok := num(s, "multipleOf"); ok && m >= 1 {
		c = math.Ceil(c/m) * m
	}
	return int64(c)
}

// formats are sample values for the string formats.
var formats = map[string]string{
	"date-time": "2024-01-01T00:00:00Z",
	"date":      "2024-01-01",
	"time":      "12:00:00Z",
	"duration":  "PT1H",
	"email":     "user@example.com",
	"hostname":  "example.com",
	"ipv4":      "192.0.2.1",
	"ipv6":      "2001:db8::1",
	"uri":       "https://example.com/",
	"url":       "https://example.com/",
	"uuid":      "00000000-0000-4000-8000-000000000000",
}

func stringValue(s map[string]any, variant int) string {
	v := "example"
	if f, ok := s["format"].(string); ok && formats[f] != "" {
		v = formats[f]
	} else if variant > 0 {
		v += strconv.Itoa(variant)
	}
	if n, ok := num(s, "minLength"); ok {
		for len([]rune(v)) < int(n) {
			v += "x"
		}
	}
	if n, ok := num(s, "maxLength"); ok {
		if r := []rune(v); len(r) > int(n) {
			v = string(r[:int(n)])
		}
	}
	return v
}

// requiredSet returns the names in a schema's required list.
func requiredSet(s map[string]any) map[string]bool {
	set := map[string]bool{}
	r, _ := s["required"].([]any)
	for _, x := range r {
		if name, ok := x.(string); ok {
			set[name] = true
		}
	}
	return set
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
