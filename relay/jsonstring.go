package relay

import (
	"errors"

	"github.com/oaicompat/oaicompat/internal/jsonx"
)

var errNotString = errors.New("not a string")

// unquote decodes the valid JSON string v (quotes included) without
// reflection, as encoding/json decodes it (see [jsonx.Unescape]). Invalid
// UTF-8 is kept as it came (the handler's encoder replaces it with U+FFFD
// on the way out, as encoding/json's decoder would have).
func unquote(v []byte) (string, error) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", errNotString
	}
	s, _, ok := jsonx.Unescape(v[1 : len(v)-1])
	if !ok {
		return "", errNotString
	}
	return s, nil
}
