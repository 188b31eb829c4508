// Package schemagen generates deterministic values that are valid against a
// JSON Schema and look like data: names, cities and emails where a field's
// name or format asks for one, small plausible numbers inside the
// schema's bounds, arrays of a couple of items. The oaitest mock answers
// schema-constrained requests with them, and so does the quickstart demo.
package schemagen

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Generate returns a value valid against the JSON Schema schema, chosen
// deterministically: every declared property of an object, two items per
// array (within minItems and maxItems), the first enum value or the
// const, the first non-null branch of anyOf/oneOf, merged allOf branches,
// local $refs (#/$defs/..., #/definitions/...), nullable types answered
// with their non-null type, strings that suit their format or property
// name (an "email" gets an address, a "city" a city) within minLength and
// maxLength, numbers that suit their property name (an "age" is 34)
// moved inside minimum/maximum (exclusive too) and onto multipleOf. A
// pattern is not honoured. An empty or unreadable schema gives an empty
// object.
func Generate(schema json.RawMessage) any { return GenerateWith(schema, nil) }

// A Hint proposes a value for the object property name whose schema is s
// (the caller knows better: the quickstart demo reads a city from the
// user's message). GenerateWith uses the value when it is a scalar valid
// against s (type, enum, const, bounds, lengths, format and pattern),
// else generates one.
type Hint func(name string, s map[string]any) (any, bool)

// GenerateWith is Generate, asking hint (which may be nil) first for every
// scalar property.
func GenerateWith(schema json.RawMessage, hint Hint) any {
	var root any
	if len(schema) == 0 || json.Unmarshal(schema, &root) != nil || root == nil {
		return map[string]any{}
	}
	g := generator{root: root, hint: hint}
	return g.value(root, 0, 0, "", false)
}

type generator struct {
	root any
	hint Hint
}

// maxDepth bounds recursion through $refs; below it only required
// properties are generated.
const maxDepth = 6

// value generates a value for the schema node of the property name ("" at
// the top), the variant-th of its kind; hinted says whether to ask the
// hint (yes for object properties, not for array items, which would all
// get the same value).
func (g *generator) value(node any, depth, variant int, name string, hinted bool) any {
	s, ok := node.(map[string]any)
	if !ok {
		if b, isBool := node.(bool); isBool && !b {
			return nil
		}
		return "example"
	}
	if ref, ok := s["$ref"].(string); ok {
		if target := g.resolve(ref); target != nil && depth < 4*maxDepth {
			return g.value(target, depth+1, variant, name, hinted)
		}
	}
	if hinted && g.hint != nil && (s["type"] != nil || s["enum"] != nil) {
		if v, ok := g.hint(name, s); ok && fits(s, v) {
			return v
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
			return g.value(pickBranch(branches, depth), depth+1, variant, name, hinted)
		}
	}
	if all, ok := s["allOf"].([]any); ok && len(all) > 0 {
		return g.value(g.merge(s, all), depth+1, variant, name, hinted)
	}
	typ := schemaType(s)
	if depth >= maxDepth && allowsNull(s) {
		typ = "null"
	}
	switch typ {
	case "object":
		return g.object(s, depth, variant)
	case "array":
		return g.array(s, depth, variant, name)
	case "integer":
		return integerValue(s, variant, name)
	case "number":
		return numberValue(s, variant, name)
	case "boolean":
		return booleanValue(name)
	case "null":
		return nil
	}
	return stringValue(s, variant, name)
}

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

// schemaType returns the schema's type: the first non-null one of a type
// list, or one inferred from its keywords.
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
		out[name] = g.value(props[name], depth+1, variant, name, true)
	}
	for name := range required {
		if _, done := out[name]; !done {
			out[name] = "example"
		}
	}
	return out
}

// arrayItems is how many items an array gets when its schema allows it.
const arrayItems = 2

func (g *generator) array(s map[string]any, depth, variant int, name string) any {
	n := arrayItems
	if v, ok := s["maxItems"].(float64); ok {
		n = min(int(v), n)
	}
	if v, ok := s["minItems"].(float64); ok {
		n = max(int(v), n)
	}
	prefix, _ := s["prefixItems"].([]any)
	n = max(n, len(prefix))
	if items, ok := s["items"].(map[string]any); ok && s["uniqueItems"] == true {
		if enum, ok := items["enum"].([]any); ok && len(enum) < n {
			n = max(len(enum), len(prefix)) // more would repeat a value
		}
	}
	out := make([]any, n)
	for i := range out {
		item := s["items"]
		if i < len(prefix) {
			item = prefix[i]
		}
		if item == nil {
			item = map[string]any{}
		}
		out[i] = g.value(item, depth+1, variant+i, name, false)
	}
	return out
}

func num(s map[string]any, key string) (float64, bool) {
	v, ok := s[key].(float64)
	return v, ok
}

// numberValue moves the plausible number for name inside the schema's
// bounds and onto its multipleOf.
func numberValue(s map[string]any, variant int, name string) float64 {
	v := plausibleNumber(name, variant)
	lo, hasLo := num(s, "minimum")
	hi, hasHi := num(s, "maximum")
	exLo, hasExLo := num(s, "exclusiveMinimum")
	exHi, hasExHi := num(s, "exclusiveMaximum")
	if hasLo && v < lo {
		v = lo
	}
	if hasHi && v > hi {
		v = hi
	}
	if hasExLo && v <= exLo {
		switch {
		case hasExHi:
			v = (exLo + exHi) / 2
		case hasHi:
			v = (exLo + hi) / 2
		default:
			v = exLo + 1
		}
	}
	if hasExHi && v >= exHi {
		switch {
		case hasExLo:
			v = (exLo + exHi) / 2
		case hasLo:
			v = (lo + exHi) / 2
		default:
			v = exHi - 1
		}
	}
	if m, ok := num(s, "multipleOf"); ok && m > 0 {
		c := math.Ceil(v/m) * m
		if (hasHi && c > hi) || (hasExHi && c >= exHi) {
			c = math.Floor(v/m) * m
		}
		v = c
	}
	return v
}

// integerValue moves the plausible integer for name inside the schema's
// bounds and onto its multipleOf. Bounds as wide as a zod .int()'s
// (±9007199254740991) leave it as it is.
func integerValue(s map[string]any, variant int, name string) int64 {
	lo, hi := math.Inf(-1), math.Inf(1)
	if v, ok := num(s, "minimum"); ok {
		lo = math.Ceil(v)
	}
	if v, ok := num(s, "exclusiveMinimum"); ok {
		lo = math.Max(lo, math.Floor(v)+1)
	}
	if v, ok := num(s, "maximum"); ok {
		hi = math.Floor(v)
	}
	if v, ok := num(s, "exclusiveMaximum"); ok {
		hi = math.Min(hi, math.Ceil(v)-1)
	}
	v := math.Min(math.Max(float64(plausibleInteger(name, variant)), lo), hi)
	if m, ok := num(s, "multipleOf"); ok && m >= 1 {
		c := math.Ceil(v/m) * m
		if c > hi {
			c = math.Floor(v/m) * m
		}
		v = c
	}
	return int64(v)
}

func stringValue(s map[string]any, variant int, name string) string {
	v := plausibleString(name, variant)
	if f, ok := s["format"].(string); ok && formats[f] != nil {
		v = formats[f](name, variant)
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
