package oaicompat

import (
	"encoding/json"
	"errors"
	"strings"

	gojson "github.com/goccy/go-json"
)

// The union types of the wire format: each decodes every form the spec
// allows, remembers which one it saw, and encodes back to that form.

var errUnionType = errors.New("oaicompat: value has none of the allowed types")

func isNull(data []byte) bool { return string(trimSpace(data)) == "null" }

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// firstByte returns the first non-space byte of data, or 0.
func firstByte(data []byte) byte {
	data = trimSpace(data)
	if len(data) == 0 {
		return 0
	}
	return data[0]
}

// unquote decodes the JSON string data into s, without the decoder's
// per-call setup when the string has no escapes (the common case).
func unquote(data []byte, s *string) error {
	data = trimSpace(data)
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

// MessageContent is a message's content: a plain string, a list of parts, or
// null/absent. The zero value is null.
type MessageContent struct {
	text  string
	parts []ContentPart
	form  contentForm
}

type contentForm uint8

const (
	contentNull contentForm = iota
	contentString
	contentParts
)

// TextContent returns content that is the string s.
func TextContent(s string) MessageContent { return MessageContent{text: s, form: contentString} }

// PartsContent returns content that is a list of parts.
func PartsContent(parts ...ContentPart) MessageContent {
	return MessageContent{parts: parts, form: contentParts}
}

// IsNull reports whether the content was absent or null.
func (c MessageContent) IsNull() bool { return c.form == contentNull }

// IsString reports whether the content was a plain string.
func (c MessageContent) IsString() bool { return c.form == contentString }

// Parts returns the content's parts; a string is returned as one text part.
func (c MessageContent) Parts() []ContentPart {
	switch c.form {
	case contentParts:
		return c.parts
	case contentString:
		return []ContentPart{{Type: "text", Text: c.text}}
	}
	return nil
}

// Text returns the string content, or the text parts joined with no separator.
func (c MessageContent) Text() string {
	if c.form != contentParts {
		return c.text
	}
	if len(c.parts) == 1 {
		return c.parts[0].Text
	}
	var sb strings.Builder
	for _, p := range c.parts {
		sb.WriteString(p.Text)
	}
	return sb.String()
}

// UnmarshalJSON implements json.Unmarshaler.
func (c *MessageContent) UnmarshalJSON(data []byte) error {
	switch firstByte(data) {
	case 'n':
		*c = MessageContent{}
		return nil
	case '"':
		c.form, c.parts = contentString, nil
		return unquote(data, &c.text)
	case '[':
		c.form, c.text = contentParts, ""
		c.parts = nil
		return gojson.Unmarshal(data, &c.parts)
	}
	return errUnionType
}

// MarshalJSON implements json.Marshaler.
func (c MessageContent) MarshalJSON() ([]byte, error) {
	switch c.form {
	case contentString:
		return appendString(nil, c.text), nil
	case contentParts:
		if c.parts == nil {
			return []byte("[]"), nil
		}
		return gojson.Marshal(c.parts)
	}
	return []byte("null"), nil
}

// Stop holds the stop sequences; the wire form is a string or a list.
type Stop []string

// UnmarshalJSON implements json.Unmarshaler.
func (s *Stop) UnmarshalJSON(data []byte) error {
	switch firstByte(data) {
	case 'n':
		*s = nil
		return nil
	case '"':
		var one string
		if err := gojson.Unmarshal(data, &one); err != nil {
			return err
		}
		*s = Stop{one}
		return nil
	case '[':
		var list []string
		if err := gojson.Unmarshal(data, &list); err != nil {
			return err
		}
		if list == nil {
			list = []string{}
		}
		*s = list
		return nil
	}
	return errUnionType
}

// ToolChoice is tool_choice (or the deprecated function_call): either a mode
// string ("none", "auto", "required"), or an object that forces a tool
// ({"type":"function","function":{"name":...}}, {"type":"custom",...}) or
// limits the allowed tools ({"type":"allowed_tools",...}). The deprecated
// function_call object {"name":...} decodes as Type "function".
type ToolChoice struct {
	// Mode is set for the string form.
	Mode string
	// Type is set for the object form: "function", "custom" or "allowed_tools".
	Type string
	// Name is the forced function's or custom tool's name.
	Name string
	// AllowedTools is set for Type "allowed_tools".
	AllowedTools *AllowedTools
}

// AllowedTools restricts the tools a model may call.
type AllowedTools struct {
	Mode  string            `json:"mode"`
	Tools []json.RawMessage `json:"tools"`
}

// Tool choice modes.
const (
	ToolChoiceNone     = "none"
	ToolChoiceAuto     = "auto"
	ToolChoiceRequired = "required"
)

type namedRef struct {
	Name string `json:"name"`
}

type toolChoiceWire struct {
	Type         string        `json:"type"`
	Function     *namedRef     `json:"function,omitempty"`
	Custom       *namedRef     `json:"custom,omitempty"`
	AllowedTools *AllowedTools `json:"allowed_tools,omitempty"`
	Name         string        `json:"name,omitempty"` // legacy function_call form
}

// UnmarshalJSON implements json.Unmarshaler.
func (tc *ToolChoice) UnmarshalJSON(data []byte) error {
	*tc = ToolChoice{}
	switch firstByte(data) {
	case 'n':
		return nil
	case '"':
		return unquote(data, &tc.Mode)
	case '{':
		var w toolChoiceWire
		if err := gojson.Unmarshal(data, &w); err != nil {
			return err
		}
		tc.Type, tc.AllowedTools = w.Type, w.AllowedTools
		switch {
		case w.Function != nil:
			tc.Name = w.Function.Name
		case w.Custom != nil:
			tc.Name = w.Custom.Name
		case w.Type == "" && w.Name != "":
			tc.Type, tc.Name = "function", w.Name
		}
		return nil
	}
	return errUnionType
}

// MarshalJSON implements json.Marshaler.
func (tc ToolChoice) MarshalJSON() ([]byte, error) {
	if tc.Type == "" {
		return appendString(nil, tc.Mode), nil
	}
	w := toolChoiceWire{Type: tc.Type, AllowedTools: tc.AllowedTools}
	switch tc.Type {
	case "function":
		w.Function = &namedRef{tc.Name}
	case "custom":
		w.Custom = &namedRef{tc.Name}
	}
	return gojson.Marshal(w)
}

// EmbeddingInput is the input of an embeddings request: a string, a list of
// strings, a list of token ids, or a list of token-id lists.
type EmbeddingInput struct {
	// Strings is set for the string and list-of-strings forms.
	Strings []string
	// Tokens is set for the two token forms (one list per input).
	Tokens [][]int
	form   inputForm
}

type inputForm uint8

const (
	inputNone inputForm = iota
	inputString
	inputStrings
	inputTokens
	inputTokenLists
)

// Len returns the number of inputs.
func (in EmbeddingInput) Len() int {
	if in.Strings != nil {
		return len(in.Strings)
	}
	return len(in.Tokens)
}

// IsTokens reports whether the input was given as token ids.
func (in EmbeddingInput) IsTokens() bool { return in.form == inputTokens || in.form == inputTokenLists }

// UnmarshalJSON implements json.Unmarshaler.
func (in *EmbeddingInput) UnmarshalJSON(data []byte) error {
	*in = EmbeddingInput{}
	data = trimSpace(data)
	switch firstByte(data) {
	case 'n':
		return nil
	case '"':
		var s string
		if err := gojson.Unmarshal(data, &s); err != nil {
			return err
		}
		in.Strings, in.form = []string{s}, inputString
		return nil
	case '[':
		// The first element decides the form.
		inner := trimSpace(data[1:])
		switch firstByte(inner) {
		case '"', ']':
			in.form = inputStrings
			return gojson.Unmarshal(data, &in.Strings)
		case '[':
			in.form = inputTokenLists
			return gojson.Unmarshal(data, &in.Tokens)
		default:
			var toks []int
			if err := gojson.Unmarshal(data, &toks); err != nil {
				return err
			}
			in.form, in.Tokens = inputTokens, [][]int{toks}
			return nil
		}
	}
	return errUnionType
}

// MarshalJSON implements json.Marshaler.
func (in EmbeddingInput) MarshalJSON() ([]byte, error) {
	switch in.form {
	case inputString:
		return appendString(nil, in.Strings[0]), nil
	case inputTokens:
		return gojson.Marshal(in.Tokens[0])
	case inputTokenLists:
		return gojson.Marshal(in.Tokens)
	case inputStrings:
		return gojson.Marshal(in.Strings)
	}
	return []byte("null"), nil
}
