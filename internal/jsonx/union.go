package jsonx

import (
	"errors"

	gojson "github.com/goccy/go-json"
)

// ErrUnionType is the error of a value that has none of a union's types.
var ErrUnionType = errors.New("value has none of the allowed types")

// Form is the shape a string-or-list union took on the wire.
type Form uint8

// The forms of a string-or-list union. The zero Form is absent (or null).
const (
	Absent Form = iota
	String
	List
)

// Union is the one codec of the string-or-list unions of the wire types:
// a JSON string, a JSON array of T, or null/absent. It remembers the form it
// decoded and encodes back to it. The public union types wrap it and share
// its shape (see oaicompat.MessageContent).
type Union[T any] struct {
	Text string
	List []T
	Form Form
}

// UnmarshalJSON implements json.Unmarshaler.
func (u *Union[T]) UnmarshalJSON(data []byte) error {
	*u = Union[T]{}
	switch FirstByte(data) {
	case 'n':
		return nil
	case '"':
		u.Form = String
		return Unquote(data, &u.Text)
	case '[':
		u.Form = List
		if err := gojson.Unmarshal(data, &u.List); err != nil {
			return err
		}
		if u.List == nil {
			u.List = []T{}
		}
		return nil
	}
	return ErrUnionType
}

// MarshalJSON implements json.Marshaler.
func (u Union[T]) MarshalJSON() ([]byte, error) {
	switch u.Form {
	case String:
		return AppendString(nil, u.Text), nil
	case List:
		if u.List == nil {
			return []byte("[]"), nil
		}
		return gojson.Marshal(u.List)
	}
	return []byte("null"), nil
}

// IsNull reports whether data is the JSON null.
func IsNull(data []byte) bool { return string(TrimSpace(data)) == "null" }

// TrimSpace removes JSON whitespace around data.
func TrimSpace(b []byte) []byte {
	for len(b) > 0 && IsSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && IsSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// IsSpace reports whether c is JSON whitespace.
func IsSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// FirstByte returns the first non-space byte of data, or 0.
func FirstByte(data []byte) byte {
	data = TrimSpace(data)
	if len(data) == 0 {
		return 0
	}
	return data[0]
}

// Unquote decodes the JSON string data into s, without the decoder's
// per-call setup when the string has no escapes (the common case).
func Unquote(data []byte, s *string) error {
	data = TrimSpace(data)
	if len(data) >= 2 && data[0] == '"' && data[len(data)-1] == '"' {
		inner := data[1 : len(data)-1]
		plain := true
		for _, c := range inner {
			if c == '\\' || c == '"' || c < 0x20 {
				plain = false
				break
			}
		}
		if plain {
			*s = string(inner)
			return nil
		}
	}
	return gojson.Unmarshal(data, s)
}
