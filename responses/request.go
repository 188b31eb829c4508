package responses

import (
	"encoding/json"

	"strings"

	gojson "github.com/goccy/go-json"

	"github.com/oaicompat/oaicompat/internal/jsonx"
)

// This file holds the request-side wire types. They follow the spec's flat
// shapes (tools, tool_choice and text.format are not nested as in chat).
// The Response object and its output items are in response.go.

// Request is the body of POST /v1/responses.
//
// A chat-only Backend never sees it: the handler translates it into an
// oaicompat.ChatRequest. A Backend implementing oaicompat.Responder receives
// it as is. Fields this type does not model are kept in Extra; Raw holds the
// body exactly as received.
type Request struct {
	Model string `json:"model"`
	// Input is a string (one user message) or a list of items.
	Input Input `json:"input"`
	// Instructions is inserted as a system message before the input; it is
	// not carried over by PreviousResponseID.
	Instructions       *string        `json:"instructions,omitempty"`
	PreviousResponseID string         `json:"previous_response_id,omitempty"`
	Tools              []Tool         `json:"tools,omitempty"`
	ToolChoice         *ToolChoice    `json:"tool_choice,omitempty"`
	ParallelToolCalls  *bool          `json:"parallel_tool_calls,omitempty"`
	MaxToolCalls       *int           `json:"max_tool_calls,omitempty"`
	MaxOutputTokens    *int           `json:"max_output_tokens,omitempty"`
	Temperature        *float64       `json:"temperature,omitempty"`
	TopP               *float64       `json:"top_p,omitempty"`
	TopLogprobs        *int           `json:"top_logprobs,omitempty"`
	Text               *TextConfig    `json:"text,omitempty"`
	Reasoning          *Reasoning     `json:"reasoning,omitempty"`
	Stream             bool           `json:"stream,omitempty"`
	StreamOptions      *StreamOptions `json:"stream_options,omitempty"`
	// Store defaults to true: the response is kept for GET /v1/responses/{id}
	// and previous_response_id when the handler has a Store.
	Store      *bool    `json:"store,omitempty"`
	Background *bool    `json:"background,omitempty"`
	Include    []string `json:"include,omitempty"`
	// Truncation is "auto" or "disabled" (deprecated by the spec).
	Truncation           string            `json:"truncation,omitempty"`
	ServiceTier          string            `json:"service_tier,omitempty"`
	Metadata             map[string]string `json:"metadata,omitempty"`
	User                 string            `json:"user,omitempty"`
	SafetyIdentifier     string            `json:"safety_identifier,omitempty"`
	PromptCacheKey       string            `json:"prompt_cache_key,omitempty"`
	PromptCacheRetention string            `json:"prompt_cache_retention,omitempty"`
	PromptCacheOptions   json.RawMessage   `json:"prompt_cache_options,omitempty"`
	Moderation           json.RawMessage   `json:"moderation,omitempty"`
	// Conversation, Prompt and ContextManagement are decoded so that a
	// request using them is answered with a clear 400 by the translation;
	// a Responder may support them.
	Conversation      json.RawMessage `json:"conversation,omitempty"`
	Prompt            json.RawMessage `json:"prompt,omitempty"`
	ContextManagement json.RawMessage `json:"context_management,omitempty"`

	// Extra holds every top-level field the request carried that this type
	// does not model, keyed by name, as raw JSON.
	Extra map[string]json.RawMessage `json:"-"`
	// Raw is the request body as received.
	Raw json.RawMessage `json:"-"`
}

// Stores reports whether the client asked for the response to be stored
// (store is true when absent).
func (r *Request) Stores() bool { return r.Store == nil || *r.Store }

// TextConfig is the text member of a Request and of a Response.
type TextConfig struct {
	Format    *TextFormat `json:"format,omitempty"`
	Verbosity string      `json:"verbosity,omitempty"`
}

// TextFormat is text.format: Type "text", "json_object" or "json_schema";
// for json_schema the schema fields sit beside Type (flat, unlike chat).
type TextFormat struct {
	Type        string          `json:"type"`
	Name        string          `json:"name,omitempty"`
	Description string          `json:"description,omitempty"`
	Schema      json.RawMessage `json:"schema,omitempty"`
	Strict      *bool           `json:"strict,omitempty"`
}

// Reasoning is the reasoning configuration of a request (and its echo in
// the Response). Effort is passed to a chat Backend as ReasoningEffort; the
// whole object also rides along in ChatRequest.Extra["reasoning"].
type Reasoning struct {
	Effort  *string `json:"effort"`
	Summary *string `json:"summary"`
	// GenerateSummary is the deprecated spelling of Summary.
	GenerateSummary *string `json:"generate_summary,omitempty"`
}

// Tool is an entry of Request.Tools. Function tools are
// flat: {"type":"function","name":...,"parameters":...,"strict":...}.
// Custom tools carry Name, Description and Format. Built-in tools
// (web_search, file_search, ...) decode with their Type; their other fields
// are in Raw.
type Tool struct {
	Type        string          `json:"type"`
	Name        string          `json:"name,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
	Strict      *bool           `json:"strict,omitempty"`
	// Format is a custom tool's input format.
	Format json.RawMessage `json:"format,omitempty"`
	// Raw is the tool as received.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON implements json.Unmarshaler, keeping the tool's bytes in Raw.
func (t *Tool) UnmarshalJSON(data []byte) error {
	type plain Tool
	var p plain
	if err := gojson.Unmarshal(data, &p); err != nil {
		return err
	}
	*t = Tool(p)
	t.Raw = append(json.RawMessage(nil), data...)
	return nil
}

// ToolChoice is tool_choice in its Responses (flat) shapes: a mode
// string ("none", "auto", "required"), {"type":"function","name":...},
// {"type":"custom","name":...}, {"type":"allowed_tools","mode":...,"tools":[...]}
// or a built-in tool type such as {"type":"web_search_preview"}.
type ToolChoice struct {
	// Mode is set for the string form.
	Mode string `json:"-"`
	// Type is set for the object form.
	Type  string            `json:"type,omitempty"`
	Name  string            `json:"name,omitempty"`
	Tools []json.RawMessage `json:"tools,omitempty"`
	// AllowedMode is the mode of an allowed_tools choice.
	AllowedMode string `json:"mode,omitempty"`
}

// UnmarshalJSON implements json.Unmarshaler.
func (tc *ToolChoice) UnmarshalJSON(data []byte) error {
	*tc = ToolChoice{}
	switch jsonx.FirstByte(data) {
	case 'n':
		return nil
	case '"':
		return gojson.Unmarshal(data, &tc.Mode)
	case '{':
		type plain ToolChoice
		var p plain
		if err := gojson.Unmarshal(data, &p); err != nil {
			return err
		}
		*tc = ToolChoice(p)
		return nil
	}
	return jsonx.ErrUnionType
}

// MarshalJSON implements json.Marshaler.
func (tc ToolChoice) MarshalJSON() ([]byte, error) {
	if tc.Type == "" {
		return jsonx.AppendString(nil, tc.Mode), nil
	}
	type plain ToolChoice
	return gojson.Marshal(plain(tc))
}

// Input is the input of a Responses request: a string (one user message)
// or a list of items. The zero value is absent. It has the shape of every
// string-or-list union of the wire types (see oaicompat.MessageContent).
type Input struct{ u jsonx.Union[InputItem] }

// TextInput returns the input that is the string s.
func TextInput(s string) Input { return Input{jsonx.Union[InputItem]{Text: s, Form: jsonx.String}} }

// ItemsInput returns the input that is a list of items.
func ItemsInput(items ...InputItem) Input {
	if items == nil {
		items = []InputItem{}
	}
	return Input{jsonx.Union[InputItem]{List: items, Form: jsonx.List}}
}

// IsNull reports whether the input was absent or null.
func (in Input) IsNull() bool { return in.u.Form == jsonx.Absent }

// IsString reports whether the input was a plain string.
func (in Input) IsString() bool { return in.u.Form == jsonx.String }

// Text returns the string form of the input ("" for a list).
func (in Input) Text() string { return in.u.Text }

// Items returns the input as items: the string form becomes one user
// message.
func (in Input) Items() []InputItem {
	if in.u.Form == jsonx.String {
		return []InputItem{{Type: "message", Role: "user", Content: TextContent(in.u.Text)}}
	}
	return in.u.List
}

// UnmarshalJSON implements json.Unmarshaler.
func (in *Input) UnmarshalJSON(data []byte) error { return in.u.UnmarshalJSON(data) }

// MarshalJSON implements json.Marshaler.
func (in Input) MarshalJSON() ([]byte, error) { return in.u.MarshalJSON() }

// InputItem is one item of a Responses input. Type says which fields apply:
//
//   - "message" (or "" for a bare message): Role, Content, Status;
//   - "function_call": CallID, Name, Arguments (and ID, Status);
//   - "function_call_output": CallID, Output;
//   - "reasoning": Summary (and ID);
//   - anything else (built-in tool items, item_reference): ID, and the
//     item's bytes in Raw.
type InputItem struct {
	Type      string  `json:"type,omitempty"`
	ID        string  `json:"id,omitempty"`
	Role      string  `json:"role,omitempty"`
	Content   Content `json:"content,omitempty"`
	Status    string  `json:"status,omitempty"`
	CallID    string  `json:"call_id,omitempty"`
	Name      string  `json:"name,omitempty"`
	Arguments string  `json:"arguments,omitempty"`
	// Output is a function_call_output's result: a string or parts.
	Output  Content           `json:"output,omitempty"`
	Summary []json.RawMessage `json:"summary,omitempty"`
	// EncryptedContent is a reasoning item's opaque signature.
	EncryptedContent string `json:"encrypted_content,omitempty"`
	// Raw is the item as received.
	Raw json.RawMessage `json:"-"`
}

// IsMessage reports whether the item is a message (typed or bare).
func (it *InputItem) IsMessage() bool { return it.Type == "" || it.Type == "message" }

// IsReference reports whether the item is an item_reference: typed so, or
// an untyped item carrying only an id (the spec makes the type optional).
func (it *InputItem) IsReference() bool {
	return it.Type == "item_reference" || it.Type == "" && it.ID != "" && it.Role == "" && it.Content.IsNull()
}

// MarshalJSON implements json.Marshaler (see AppendJSON).
func (it InputItem) MarshalJSON() ([]byte, error) { return it.AppendJSON(nil), nil }

// AppendJSON appends the item's JSON to b with exactly the fields of its
// type, as GET /v1/responses/{id}/input_items lists them: a message has
// role and content, a function call call_id, name and arguments, a function
// call output call_id and output, a reasoning item summary (and
// encrypted_content when set), an item_reference its id; id and status
// appear when set. An item of a type this package does not model is
// written as received (Raw), or as its type and id.
func (it *InputItem) AppendJSON(b []byte) []byte {
	typ := it.Type
	if typ == "" {
		typ = "message"
	}
	modeled := true
	switch typ {
	case "message", "function_call", "function_call_output", "reasoning", "item_reference":
	default:
		modeled = false
	}
	if !modeled && len(it.Raw) > 0 {
		return append(b, it.Raw...)
	}
	b = append(b, `{"type":`...)
	b = jsonx.AppendString(b, typ)
	if it.ID != "" {
		b = append(b, `,"id":`...)
		b = jsonx.AppendString(b, it.ID)
	}
	switch typ {
	case "message":
		b = append(b, `,"role":`...)
		b = jsonx.AppendString(b, it.Role)
		b = appendField(b, "content", &it.Content)
	case "function_call":
		b = append(b, `,"call_id":`...)
		b = jsonx.AppendString(b, it.CallID)
		b = append(b, `,"name":`...)
		b = jsonx.AppendString(b, it.Name)
		b = append(b, `,"arguments":`...)
		b = jsonx.AppendString(b, it.Arguments)
	case "function_call_output":
		b = append(b, `,"call_id":`...)
		b = jsonx.AppendString(b, it.CallID)
		b = appendField(b, "output", &it.Output)
	case "reasoning":
		b = append(b, `,"summary":[`...)
		for i, s := range it.Summary {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, s...)
		}
		b = append(b, ']')
		if it.EncryptedContent != "" {
			b = append(b, `,"encrypted_content":`...)
			b = jsonx.AppendString(b, it.EncryptedContent)
		}
	}
	if it.Status != "" && typ != "item_reference" {
		b = append(b, `,"status":`...)
		b = jsonx.AppendString(b, it.Status)
	}
	return append(b, '}')
}

// appendField appends ,"name": and c (null when absent).
func appendField(b []byte, name string, c *Content) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return c.AppendJSON(b)
}

// UnmarshalJSON implements json.Unmarshaler, keeping the item's bytes in
// Raw. Items of a type this package does not model decode only Type and ID,
// so that their other fields may have any shape.
func (it *InputItem) UnmarshalJSON(data []byte) error {
	var head struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	}
	if err := gojson.Unmarshal(data, &head); err != nil {
		return err
	}
	switch head.Type {
	case "", "message", "function_call", "function_call_output", "reasoning":
		type plain InputItem
		var p plain
		if err := gojson.Unmarshal(data, &p); err != nil {
			return err
		}
		*it = InputItem(p)
	default:
		*it = InputItem{Type: head.Type, ID: head.ID}
	}
	it.Raw = append(json.RawMessage(nil), data...)
	return nil
}

// Content is an input message's content or a function result: a string, a
// list of parts, or absent. It has the shape of Input.
type Content struct{ u jsonx.Union[Part] }

// TextContent returns content that is the string s.
func TextContent(s string) Content { return Content{jsonx.Union[Part]{Text: s, Form: jsonx.String}} }

// PartsContent returns content that is a list of parts.
func PartsContent(parts ...Part) Content {
	if parts == nil {
		parts = []Part{}
	}
	return Content{jsonx.Union[Part]{List: parts, Form: jsonx.List}}
}

// IsNull reports whether the content was absent or null.
func (c Content) IsNull() bool { return c.u.Form == jsonx.Absent }

// IsString reports whether the content was a plain string.
func (c Content) IsString() bool { return c.u.Form == jsonx.String }

// Text returns the string content, or the text of the parts joined.
func (c Content) Text() string {
	if c.u.Form != jsonx.List {
		return c.u.Text
	}
	var sb strings.Builder
	for _, p := range c.u.List {
		sb.WriteString(p.Text)
	}
	return sb.String()
}

// Parts returns the content's parts (none for the string form).
func (c Content) Parts() []Part { return c.u.List }

// UnmarshalJSON implements json.Unmarshaler.
func (c *Content) UnmarshalJSON(data []byte) error { return c.u.UnmarshalJSON(data) }

// AppendJSON appends the content's JSON to b: a string, a list of parts, or
// null when absent.
func (c *Content) AppendJSON(b []byte) []byte {
	switch c.u.Form {
	case jsonx.String:
		return jsonx.AppendString(b, c.u.Text)
	case jsonx.List:
		b = append(b, '[')
		for i := range c.u.List {
			if i > 0 {
				b = append(b, ',')
			}
			b = c.u.List[i].AppendJSON(b)
		}
		return append(b, ']')
	}
	return append(b, "null"...)
}

// size is about the length of the content's text, without copying it.
func (c *Content) size() int {
	n := len(c.u.Text)
	for i := range c.u.List {
		n += 32 + len(c.u.List[i].Text) + len(c.u.List[i].ImageURL) + len(c.u.List[i].FileData)
	}
	return n
}

// MarshalJSON implements json.Marshaler.
func (c Content) MarshalJSON() ([]byte, error) { return c.u.MarshalJSON() }

// Part is one content part of an input item. Type is "input_text",
// "input_image", "input_file", "output_text" or "refusal"; the fields of
// that type are set.
type Part struct {
	Type     string `json:"type"`
	Text     string `json:"text,omitempty"`
	ImageURL string `json:"image_url,omitempty"`
	FileID   string `json:"file_id,omitempty"`
	Detail   string `json:"detail,omitempty"`
	Filename string `json:"filename,omitempty"`
	FileData string `json:"file_data,omitempty"`
	FileURL  string `json:"file_url,omitempty"`
	Refusal  string `json:"refusal,omitempty"`
	// Annotations are an output_text part's annotations, kept as received.
	Annotations []json.RawMessage `json:"annotations,omitempty"`
}

// MarshalJSON implements json.Marshaler (see AppendJSON).
func (p Part) MarshalJSON() ([]byte, error) { return p.AppendJSON(nil), nil }

// AppendJSON appends the part's JSON to b: the fields its type requires are
// always present (an empty text is "text":"").
func (p *Part) AppendJSON(b []byte) []byte {
	b = append(b, `{"type":`...)
	b = jsonx.AppendString(b, p.Type)
	opt := func(name, v string) {
		if v != "" {
			b = append(b, ',', '"')
			b = append(b, name...)
			b = append(b, '"', ':')
			b = jsonx.AppendString(b, v)
		}
	}
	switch p.Type {
	case "input_text":
		b = append(b, `,"text":`...)
		b = jsonx.AppendString(b, p.Text)
	case "output_text":
		b = append(b, `,"text":`...)
		b = jsonx.AppendString(b, p.Text)
		b = append(b, `,"annotations":[`...)
		for i, a := range p.Annotations {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, a...)
		}
		b = append(b, ']')
	case "refusal":
		b = append(b, `,"refusal":`...)
		b = jsonx.AppendString(b, p.Refusal)
	case "input_image":
		detail := p.Detail
		if detail == "" {
			detail = "auto"
		}
		b = append(b, `,"detail":`...)
		b = jsonx.AppendString(b, detail)
		opt("image_url", p.ImageURL)
		opt("file_id", p.FileID)
	default:
		opt("text", p.Text)
		opt("image_url", p.ImageURL)
		opt("file_id", p.FileID)
		opt("detail", p.Detail)
		opt("filename", p.Filename)
		opt("file_data", p.FileData)
		opt("file_url", p.FileURL)
		opt("refusal", p.Refusal)
	}
	return append(b, '}')
}

// StreamOptions is stream_options of a streamed request.
type StreamOptions struct {
	IncludeObfuscation *bool `json:"include_obfuscation,omitempty"`
}
