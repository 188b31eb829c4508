package schemagen

import (
	"encoding/json"
	"math"
	"net/mail"
	"net/url"
	"regexp"
	"time"
	"unicode/utf8"
)

// fits reports whether the scalar v is valid against the schema s: its
// type, enum, const, bounds, lengths, format and pattern. Objects and
// arrays never fit: hints propose scalars.
func fits(s map[string]any, v any) bool {
	if c, ok := s["const"]; ok && !jsonEqual(c, v) {
		return false
	}
	if enum, ok := s["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			found = found || jsonEqual(e, v)
		}
		if !found {
			return false
		}
	}
	if !typeAllows(s, v) {
		return false
	}
	switch x := v.(type) {
	case string:
		return stringFits(s, x)
	case float64:
		return numberFits(s, x)
	case int:
		return numberFits(s, float64(x))
	case int64:
		return numberFits(s, float64(x))
	case bool, nil:
		return true
	}
	return false
}

// typeAllows reports whether the schema's type (or type list) admits v;
// a schema without a type admits any scalar.
func typeAllows(s map[string]any, v any) bool {
	var types []any
	switch t := s["type"].(type) {
	case string:
		types = []any{t}
	case []any:
		types = t
	default:
		return true
	}
	for _, t := range types {
		switch t {
		case "string":
			if _, ok := v.(string); ok {
				return true
			}
		case "boolean":
			if _, ok := v.(bool); ok {
				return true
			}
		case "null":
			if v == nil {
				return true
			}
		case "number", "integer":
			f, ok := toFloat(v)
			if ok && (t == "number" || f == math.Trunc(f)) {
				return true
			}
		}
	}
	return false
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}

func numberFits(s map[string]any, f float64) bool {
	if v, ok := num(s, "minimum"); ok && f < v {
		return false
	}
	if v, ok := num(s, "maximum"); ok && f > v {
		return false
	}
	if v, ok := num(s, "exclusiveMinimum"); ok && f <= v {
		return false
	}
	if v, ok := num(s, "exclusiveMaximum"); ok && f >= v {
		return false
	}
	if m, ok := num(s, "multipleOf"); ok && m > 0 {
		q := f / m
		return math.Abs(q-math.Round(q)) < 1e-9
	}
	return true
}

func stringFits(s map[string]any, x string) bool {
	n := utf8.RuneCountInString(x)
	if v, ok := num(s, "minLength"); ok && float64(n) < v {
		return false
	}
	if v, ok := num(s, "maxLength"); ok && float64(n) > v {
		return false
	}
	if p, ok := s["pattern"].(string); ok {
		re, err := regexp.Compile(p)
		if err != nil || !re.MatchString(x) {
			return false // a pattern Go cannot read is not trusted either
		}
	}
	switch s["format"] {
	case "email":
		a, err := mail.ParseAddress(x)
		return err == nil && a.Address == x
	case "date":
		_, err := time.Parse(time.DateOnly, x)
		return err == nil
	case "date-time":
		_, err := time.Parse(time.RFC3339, x)
		return err == nil
	case "uri", "url":
		u, err := url.Parse(x)
		return err == nil && u.Scheme != "" && u.Host != ""
	case "uuid":
		return uuidPattern.MatchString(x)
	}
	return true
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// jsonEqual compares two JSON-like values by their encoding.
func jsonEqual(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
