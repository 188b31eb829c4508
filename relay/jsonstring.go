package relay

import (
	"bytes"
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

var errNotString = errors.New("not a string")

// unquote decodes the valid JSON string v without reflection. A string
// without escapes (the common case) is copied as it is; escapes are
// decoded as encoding/json decodes them (\uXXXX surrogate pairs joined, a
// lone surrogate becoming U+FFFD). Invalid UTF-8 is kept as it came (the
// handler's encoder replaces it with U+FFFD on the way out, as
// encoding/json's decoder would have).
func unquote(v []byte) (string, error) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", errNotString
	}
	v = v[1 : len(v)-1]
	i := bytes.IndexByte(v, '\\')
	if i < 0 {
		return string(v), nil
	}
	out := make([]byte, 0, len(v))
	for i >= 0 {
		out = append(out, v[:i]...)
		v = v[i:]
		if len(v) < 2 {
			return "", errNotString
		}
		n := 2
		switch v[1] {
		case '"', '\\', '/':
			out = append(out, v[1])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hex4(v)
			if r < 0 {
				return "", errNotString
			}
			n = 6
			if utf16.IsSurrogate(r) {
				if d := utf16.DecodeRune(r, hex4(v[6:])); d != utf8.RuneError {
					r, n = d, 12
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", errNotString
		}
		v = v[n:]
		i = bytes.IndexByte(v, '\\')
	}
	return string(append(out, v...)), nil
}

// hex4 returns the rune of the \uXXXX escape v begins with, or -1.
func hex4(v []byte) rune {
	if len(v) < 6 || v[0] != '\\' || v[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range v[2:6] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}
