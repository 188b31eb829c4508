package oaicompat

import (
	"encoding/json"
	"strings"

	gojson "github.com/goccy/go-json"
	"github.com/oaicompat/oaicompat/internal/jsonx"
)

// The union types of the wire format: each decodes every form the spec
// allows, remembers which one it saw, and encodes back to that form.

// MessageContent is a message's content: a plain string, a list of parts, or
// null/absent. The zero value is null. The other string-or-list unions of
// the wire types (responses.Content, responses.Input) have the same shape.
type MessageContent struct{ u jsonx.Union[ContentPart] }

// TextContent returns content that is the string s.
func TextContent(s string) MessageContent {
	return MessageContent{jsonx.Union[ContentPart]{Text: s, Form: jsonx.String}}
}

// PartsContent returns content that is a list of parts.
func PartsContent(parts ...ContentPart) MessageContent {
	return MessageContent{jsonx.Union[ContentPart]{List: parts, Form: jsonx.List}}
}

// IsNull reports whether the content was absent or null.
func (c MessageContent) IsNull() bool { return c.u.Form == jsonx.Absent }

// IsString reports whether the content was a plain string.
func (c MessageContent) IsString() bool { return c.u.Form == jsonx.String }

// Parts returns the content's parts; a string is returned as one text part.
func (c MessageContent) Parts() []ContentPart {
	if c.u.Form == jsonx.String {
		return []ContentPart{{Type: "text", Text: c.u.Text}}
	}
	return c.u.List
}

// Text returns the string content, or the text parts joined with no separator.
func (c MessageContent) Text() string {
	if c.u.Form != jsonx.List {
		return c.u.Text
	}
	if len(c.u.List) == 1 {
		return c.u.List[0].Text
	}
	var sb strings.Builder
	for _, p := range c.u.List {
		sb.WriteString(p.Text)
	}
	return sb.String()
}

// UnmarshalJSON implements json.Unmarshaler.
func (c *MessageContent) UnmarshalJSON(data []byte) error { return c.u.UnmarshalJSON(data) }

// MarshalJSON implements json.Marshaler.
func (c MessageContent) MarshalJSON() ([]byte, error) { return c.u.MarshalJSON() }

// Stop holds the stop sequences; the wire form is a string or a list.
type Stop []string

// UnmarshalJSON implements json.Unmarshaler.
func (s *Stop) UnmarshalJSON(data []byte) error {
	switch jsonx.FirstByte(data) {
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
	return jsonx.ErrUnionType
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
	switch jsonx.FirstByte(data) {
	case 'n':
		return nil
	case '"':
		return jsonx.Unquote(data, &tc.Mode)
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
	return jsonx.ErrUnionType
}

// MarshalJSON implements json.Marshaler.
func (tc ToolChoice) MarshalJSON() ([]byte, error) {
	if tc.Type == "" {
		return jsonx.AppendString(nil, tc.Mode), nil
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
	data = jsonx.TrimSpace(data)
	switch jsonx.FirstByte(data) {
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
		inner := jsonx.TrimSpace(data[1:])
		switch jsonx.FirstByte(inner) {
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
	return jsonx.ErrUnionType
}

// MarshalJSON implements json.Marshaler.
func (in EmbeddingInput) MarshalJSON() ([]byte, error) {
	switch in.form {
	case inputString:
		return jsonx.AppendString(nil, in.Strings[0]), nil
	case inputTokens:
		return gojson.Marshal(in.Tokens[0])
	case inputTokenLists:
		return gojson.Marshal(in.Tokens)
	case inputStrings:
		return gojson.Marshal(in.Strings)
	}
	return []byte("null"), nil
}
