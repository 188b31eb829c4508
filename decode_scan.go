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
		if !s.skipValue(1) { // a member of the top-level object
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

// The grammar itself is jsonx's (one scanner for the module); these move
// pos past what they scanned when it is valid.

// skipString skips a string starting at pos: escapes must be valid and no
// raw control character may appear.
func (s *scanner) skipString() bool { return s.to(jsonx.ScanString(s.data, s.pos)) }

// skipValue skips any value starting at pos; depth is how many objects and
// arrays enclose it.
func (s *scanner) skipValue(depth int) bool { return s.to(jsonx.ScanValue(s.data, s.pos, depth)) }

// skipNumber skips a number.
func (s *scanner) skipNumber() bool { return s.to(jsonx.ScanNumber(s.data, s.pos)) }

// literal skips lit (true, false or null).
func (s *scanner) literal(lit string) bool { return s.to(jsonx.ScanLiteral(s.data, s.pos, lit)) }

// to moves pos to end when ok.
func (s *scanner) to(end int, ok bool) bool {
	if ok {
		s.pos = end
	}
	return ok
}
