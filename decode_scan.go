package oaicompat

import (
	"encoding/json"
	"strings"

	gojson "github.com/goccy/go-json"

	"github.com/oaicompat/oaicompat/internal/jsonx"
)

// This file walks a request body once, strictly, before goccy/go-json
// decodes it: goccy skips the values of fields a type does not model
// without checking them, and keeps raw control characters in strings, where
// encoding/json rejects both. The walk checks the whole body against the
// JSON grammar and collects the members the request type does not model,
// so that every decoder agrees on what is valid.

// extraFields checks that data is one valid JSON object and returns its
// top-level members whose names are not in known, or nil when there are
// none. Names match exactly.
func extraFields(data []byte, known map[string]struct{}) (map[string]json.RawMessage, error) {
	var extra map[string]json.RawMessage
	s := scanner{data: data}
	s.skipSpace()
	if !s.eat('{') {
		return nil, errNotJSON
	}
	s.skipSpace()
	if s.eat('}') {
		return extra, s.end()
	}
	for {
		s.skipSpace()
		keyStart := s.pos
		if !s.skipString() {
			return nil, errNotJSON
		}
		key := data[keyStart+1 : s.pos-1]
		s.skipSpace()
		if !s.eat(':') {
			return nil, errNotJSON
		}
		s.skipSpace()
		valStart := s.pos
		if !s.skipValue(0) {
			return nil, errNotJSON
		}
		if _, ok := known[string(key)]; !ok {
			name := string(key)
			if strings.IndexByte(name, '\\') >= 0 {
				_ = gojson.Unmarshal(data[keyStart:keyStart+len(key)+2], &name)
			}
			if _, ok := known[name]; !ok {
				if extra == nil {
					extra = map[string]json.RawMessage{}
				}
				extra[name] = append(json.RawMessage(nil), data[valStart:s.pos]...)
			}
		}
		s.skipSpace()
		if s.eat('}') {
			return extra, s.end()
		}
		if !s.eat(',') {
			return nil, errNotJSON
		}
	}
}

// maxDepth bounds the nesting of a request body, as encoding/json does.
const maxDepth = 10000

// scanner walks JSON text, checking the grammar as it goes.
type scanner struct {
	data []byte
	pos  int
}

func (s *scanner) peek() byte {
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

func (s *scanner) eat(c byte) bool {
	if s.peek() == c && s.pos < len(s.data) {
		s.pos++
		return true
	}
	return false
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) && jsonx.IsSpace(s.data[s.pos]) {
		s.pos++
	}
}

// end checks that only whitespace follows the value.
func (s *scanner) end() error {
	s.skipSpace()
	if s.pos != len(s.data) {
		return errNotJSON
	}
	return nil
}

// skipString skips a string starting at pos: escapes must be valid and no
// raw control character may appear.
func (s *scanner) skipString() bool {
	if s.peek() != '"' {
		return false
	}
	d := s.data
	for i := s.pos + 1; i < len(d); i++ {
		switch c := d[i]; {
		case c == '"':
			s.pos = i + 1
			return true
		case c < 0x20:
			return false
		case c == '\\':
			i++
			if i >= len(d) {
				return false
			}
			switch d[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(d) || !isHex(d[i+1]) || !isHex(d[i+2]) || !isHex(d[i+3]) || !isHex(d[i+4]) {
					return false
				}
				i += 4
			default:
				return false
			}
		}
	}
	return false
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// skipValue skips any value starting at pos.
func (s *scanner) skipValue(depth int) bool {
	if depth > maxDepth {
		return false
	}
	switch c := s.peek(); {
	case c == '"':
		return s.skipString()
	case c == '{':
		s.pos++
		s.skipSpace()
		if s.eat('}') {
			return true
		}
		for {
			s.skipSpace()
			if !s.skipString() {
				return false
			}
			s.skipSpace()
			if !s.eat(':') {
				return false
			}
			s.skipSpace()
			if !s.skipValue(depth + 1) {
				return false
			}
			s.skipSpace()
			if s.eat('}') {
				return true
			}
			if !s.eat(',') {
				return false
			}
		}
	case c == '[':
		s.pos++
		s.skipSpace()
		if s.eat(']') {
			return true
		}
		for {
			s.skipSpace()
			if !s.skipValue(depth + 1) {
				return false
			}
			s.skipSpace()
			if s.eat(']') {
				return true
			}
			if !s.eat(',') {
				return false
			}
		}
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	default:
		return s.skipNumber()
	}
}

func (s *scanner) literal(lit string) bool {
	if strings.HasPrefix(string(s.data[s.pos:min(len(s.data), s.pos+len(lit))]), lit) {
		s.pos += len(lit)
		return true
	}
	return false
}

// skipNumber skips a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) skipNumber() bool {
	d, i := s.data, s.pos
	digits := func() bool {
		start := i
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < len(d) && d[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	s.pos = i
	return true
}
