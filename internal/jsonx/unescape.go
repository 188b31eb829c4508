package jsonx

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// Unescape decodes the inside of a JSON string (the bytes between its
// quotes) without reflection, as encoding/json decodes it: \uXXXX surrogate
// pairs joined, a lone surrogate becoming U+FFFD; invalid UTF-8 is kept as
// it came. A string without escapes (the common case) is copied as it is.
// ok is false for a malformed escape; surrogate reports whether a \u escape
// named a UTF-16 surrogate, for callers whose other decoder pairs them
// differently.
func Unescape(in []byte) (s string, surrogate, ok bool) {
	i := bytes.IndexByte(in, '\\')
	if i < 0 {
		return string(in), false, true
	}
	out := make([]byte, 0, len(in))
	for i >= 0 {
		out = append(out, in[:i]...)
		in = in[i:]
		if len(in) < 2 {
			return "", surrogate, false
		}
		n := 2
		switch in[1] {
		case '"', '\\', '/':
			out = append(out, in[1])
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
			r := hex4(in)
			if r < 0 {
				return "", surrogate, false
			}
			n = 6
			if utf16.IsSurrogate(r) {
				surrogate = true
				if d := utf16.DecodeRune(r, hex4(in[6:])); d != utf8.RuneError {
					r, n = d, 12
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", surrogate, false
		}
		in = in[n:]
		i = bytes.IndexByte(in, '\\')
	}
	out = append(out, in...)
	// out is this call's own and never written again: the string can be
	// it, without the copy a conversion makes.
	return unsafe.String(unsafe.SliceData(out), len(out)), surrogate, true
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
