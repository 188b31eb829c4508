package oaicompat

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// This file checks OpenAI's strict-mode rules ("Supported schemas" in the
// Structured Outputs guide), which apply to a json_schema response format or
// a function tool with strict: true:
//
//   - the root is an object (type "object", not anyOf);
//   - every object sets additionalProperties: false, has properties, and
//     lists every property in required (optional fields are nullable);
//   - only the supported keywords appear: type, enum, const, anyOf, $ref,
//     $defs/definitions, title, description, $comment; pattern and format
//     for strings; minimum, maximum, exclusiveMinimum, exclusiveMaximum and
//     multipleOf for numbers; items, minItems and maxItems for arrays;
//     properties, required and additionalProperties for objects ($schema
//     and $id are tolerated at the root);
//   - a $ref is local and has no sibling keywords;
//   - at most 10 levels of object nesting, 5000 object properties, 1000
//     enum values, 120000 characters of property names, definition names,
//     enum and const values, and 15000 characters for one string enum of
//     more than 250 values.
//
// The first violation is reported with OpenAI's wording.

// Strict-mode limits.
const (
	strictMaxDepth         = 10
	strictMaxProperties    = 5000
	strictMaxEnumValues    = 1000
	strictMaxStringSize    = 120000
	strictLargeEnum        = 250
	strictMaxLargeEnumSize = 15000
)

var strictKeywords = map[string]bool{
	"type": true, "enum": true, "const": true, "anyOf": true, "$ref": true,
	"$defs": true, "definitions": true, "title": true, "description": true, "$comment": true,
	"pattern": true, "format": true,
	"minimum": true, "maximum": true, "exclusiveMinimum": true, "exclusiveMaximum": true, "multipleOf": true,
	"items": true, "minItems": true, "maxItems": true,
	"properties": true, "required": true, "additionalProperties": true,
}

var jsonTypes = map[string]bool{"string": true, "number": true, "integer": true, "boolean": true, "object": true, "array": true, "null": true}

// checkStrict returns the first strict-mode rule doc (a decoded schema)
// breaks, or nil.
func checkStrict(doc any) *schemaIssue {
	root, _ := doc.(map[string]any)
	if t := root["type"]; root == nil || t != "object" || root["anyOf"] != nil {
		got := "None"
		if s, ok := t.(string); ok {
			got = s
		} else if t != nil {
			got = fmt.Sprint(t)
		}
		return &schemaIssue{msg: fmt.Sprintf(`schema must be a JSON Schema of 'type: "object"', got 'type: "%s"'.`, got)}
	}
	w := strictWalker{}
	w.schema(root, nil, 0, true)
	if w.issue != nil {
		return w.issue
	}
	switch {
	case w.maxDepth > strictMaxDepth:
		return &schemaIssue{msg: fmt.Sprintf("%d levels of nesting exceeds limit of %d.", w.maxDepth, strictMaxDepth)}
	case w.properties > strictMaxProperties:
		return &schemaIssue{msg: fmt.Sprintf("%d object properties exceeds limit of %d.", w.properties, strictMaxProperties)}
	case w.enumValues > strictMaxEnumValues:
		return &schemaIssue{msg: fmt.Sprintf("%d enum values exceeds limit of %d.", w.enumValues, strictMaxEnumValues)}
	case w.chars > strictMaxStringSize:
		return &schemaIssue{msg: fmt.Sprintf("%d characters of property names, definition names, enum values and const values exceeds limit of %d.", w.chars, strictMaxStringSize)}
	}
	return nil
}

// strictWalker walks a schema, stopping at the first issue, and totals
// what the limits count.
type strictWalker struct {
	issue      *schemaIssue
	maxDepth   int
	properties int
	enumValues int
	chars      int
}

func (w *strictWalker) fail(path []string, format string, args ...any) {
	if w.issue == nil {
		w.issue = &schemaIssue{context: true, path: slices.Clone(path), msg: fmt.Sprintf(format, args...)}
	}
}

// schema checks one (sub)schema at path; depth counts the objects above it.
func (w *strictWalker) schema(v any, path []string, depth int, root bool) {
	if w.issue != nil {
		return
	}
	s, ok := v.(map[string]any)
	if !ok {
		w.fail(path, "schema must be a JSON object, got %v.", v)
		return
	}
	keys := sortedKeys(s)
	if ref, ok := s["$ref"]; ok {
		if len(s) > 1 {
			others := slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return k == "$ref" })
			w.fail(path, "$ref cannot have keywords {%s}.", quotedList(others))
			return
		}
		if r, _ := ref.(string); !strings.HasPrefix(r, "#") {
			w.fail(path, "'$ref' must point within the schema ('#/$defs/...'), got %q.", ref)
		}
		return
	}
	for _, k := range keys {
		if !strictKeywords[k] && !(root && (k == "$schema" || k == "$id")) {
			w.fail(path, "'%s' is not permitted.", k)
			return
		}
	}
	types, ok := schemaTypes(s["type"])
	if !ok {
		w.fail(path, "'type' must be one of 'string', 'number', 'integer', 'boolean', 'object', 'array' or 'null', or a list of them.")
		return
	}
	if types == nil && s["anyOf"] == nil && s["enum"] == nil && s["const"] == nil {
		w.fail(path, "schema must have a 'type' key.")
		return
	}
	w.values(s, path)
	if slices.Contains(types, "object") {
		depth++
		w.maxDepth = max(w.maxDepth, depth)
		w.object(s, path, depth)
	}
	if items, ok := s["items"]; ok {
		w.schema(items, append(path, "items"), depth, false)
	}
	if anyOf, ok := s["anyOf"]; ok {
		list, _ := anyOf.([]any)
		for i, sub := range list {
			w.schema(sub, append(path, "anyOf", fmt.Sprint(i)), depth, false)
		}
	}
	for _, kw := range [...]string{"$defs", "definitions"} {
		defs, _ := s[kw].(map[string]any)
		for _, name := range sortedKeys(defs) {
			w.chars += utf8.RuneCountInString(name)
			w.schema(defs[name], append(path, kw, name), 0, false)
		}
	}
}

// object applies the object rules to s.
func (w *strictWalker) object(s map[string]any, path []string, depth int) {
	if ap, ok := s["additionalProperties"]; !ok || ap != false {
		w.fail(path, "'additionalProperties' is required to be supplied and to be false.")
		return
	}
	props, ok := s["properties"].(map[string]any)
	if !ok {
		w.fail(path, "object schema missing properties.")
		return
	}
	names := sortedKeys(props)
	required, _ := s["required"].([]any)
	isRequired := make(map[any]bool, len(required)) // a set: a search per property was quadratic
	for _, r := range required {
		isRequired[r] = true
	}
	for _, n := range names {
		if !isRequired[n] {
			w.fail(path, "'required' is required to be supplied and to be an array including every key in properties. Missing '%s'.", n)
			return
		}
	}
	for _, r := range required {
		if n, _ := r.(string); props[n] == nil {
			w.fail(path, "'required' must be an array that includes every key in `properties`. Extra required key '%v' supplied.", r)
			return
		}
	}
	w.properties += len(names)
	for _, n := range names {
		w.chars += utf8.RuneCountInString(n)
		w.schema(props[n], append(path, "properties", n), depth, false)
	}
}

// values counts enum and const values toward the limits.
func (w *strictWalker) values(s map[string]any, path []string) {
	if c, ok := s["const"].(string); ok {
		w.chars += utf8.RuneCountInString(c)
	}
	enum, ok := s["enum"].([]any)
	if !ok {
		return
	}
	w.enumValues += len(enum)
	size, allStrings := 0, true
	for _, e := range enum {
		str, isStr := e.(string)
		allStrings = allStrings && isStr
		size += utf8.RuneCountInString(str)
	}
	w.chars += size
	if allStrings && len(enum) > strictLargeEnum && size > strictMaxLargeEnumSize {
		w.fail(path, "an enum of more than %d string values may total at most %d characters, got %d.", strictLargeEnum, strictMaxLargeEnumSize, size)
	}
}

// schemaTypes returns the types a "type" keyword lists (nil when absent);
// ok is false when it is malformed.
func schemaTypes(t any) (types []string, ok bool) {
	switch t := t.(type) {
	case nil:
		return nil, true
	case string:
		return []string{t}, jsonTypes[t]
	case []any:
		for _, x := range t {
			s, isStr := x.(string)
			if !isStr || !jsonTypes[s] {
				return nil, false
			}
			types = append(types, s)
		}
		return types, len(types) > 0
	}
	return nil, false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func quotedList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = "'" + x + "'"
	}
	return strings.Join(q, ", ")
}
