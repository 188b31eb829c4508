package anthropic

import (
	"encoding/json"
	"errors"
	"strings"

	gojson "github.com/goccy/go-json"
)

// Content is the content of a turn (and the system prompt, and a
// tool_result's content): a string, which is a shorthand for one text
// block, or a list of blocks. The zero Content is absent (null).
type Content struct {
	text   string
	blocks []ContentBlock
	form   uint8
}

const (
	formNull uint8 = iota
	formString
	formBlocks
)

// TextContent returns content that is the string s.
func TextContent(s string) Content { return Content{text: s, form: formString} }

// BlocksContent returns content that is a list of blocks.
func BlocksContent(blocks ...ContentBlock) Content {
	if blocks == nil {
		blocks = []ContentBlock{}
	}
	return Content{blocks: blocks, form: formBlocks}
}

// IsNull reports whether the content was absent or null.
func (c Content) IsNull() bool { return c.form == formNull }

// IsString reports whether the content is a string.
func (c Content) IsString() bool { return c.form == formString }

// String returns the content of the string form ("" for a list).
func (c Content) String() string { return c.text }

// Blocks returns the blocks of the content; the string form is one text
// block.
func (c Content) Blocks() []ContentBlock {
	switch c.form {
	case formString:
		return []ContentBlock{{Type: BlockText, Text: c.text}}
	case formBlocks:
		return c.blocks
	}
	return nil
}

// Text returns the string form, or the text of the text blocks joined
// with sep.
func (c Content) Text(sep string) string {
	if c.form != formBlocks {
		return c.text
	}
	var sb strings.Builder
	n := 0
	for i := range c.blocks {
		if c.blocks[i].Type == BlockText {
			if n > 0 {
				sb.WriteString(sep)
			}
			sb.WriteString(c.blocks[i].Text)
			n++
		}
	}
	return sb.String()
}

var errContentType = errors.New("anthropic: content must be a string or an array of content blocks")

// UnmarshalJSON implements json.Unmarshaler.
func (c *Content) UnmarshalJSON(data []byte) error {
	*c = Content{}
	switch firstByte(data) {
	case 'n':
		return nil
	case '"':
		c.form = formString
		return gojson.Unmarshal(data, &c.text)
	case '[':
		c.form = formBlocks
		c.blocks = []ContentBlock{}
		return gojson.Unmarshal(data, &c.blocks)
	}
	return errContentType
}

// MarshalJSON implements json.Marshaler.
func (c Content) MarshalJSON() ([]byte, error) {
	switch c.form {
	case formString:
		return gojson.Marshal(c.text)
	case formBlocks:
		if c.blocks == nil {
			return []byte("[]"), nil
		}
		return gojson.Marshal(c.blocks)
	}
	return []byte("null"), nil
}

// firstByte returns the first byte of data that is not JSON white space.
func firstByte(data []byte) byte {
	for _, c := range data {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c
		}
	}
	return 0
}

// Content block types this package models. Every other type (documents,
// search results, server tool blocks, mid_conv_system, ...) decodes with
// its Type and Raw only.
const (
	BlockText             = "text"
	BlockImage            = "image"
	BlockDocument         = "document"
	BlockToolUse          = "tool_use"
	BlockToolResult       = "tool_result"
	BlockThinking         = "thinking"
	BlockRedactedThinking = "redacted_thinking"
)

// ContentBlock is one block of a turn's content or of a Message's. Type
// says which fields are set:
//
//	text               Text (Citations)
//	image, document    Source
//	tool_use           ID, Name, Input
//	tool_result        ToolUseID, Content (string or blocks), IsError
//	thinking           Thinking, Signature
//	redacted_thinking  Data
//
// CacheControl may come with any of them. A decoded block keeps its bytes
// in Raw, and MarshalJSON writes Raw when it is set, so that blocks pass
// through unchanged (thinking blocks must reach the model byte for byte)
// and block types this package does not model survive a round trip.
type ContentBlock struct {
	Type string `json:"type"`

	Text      string          `json:"text,omitempty"`
	Citations json.RawMessage `json:"citations,omitempty"`

	Source *Source `json:"source,omitempty"`

	ID    string          `json:"id,omitempty"`
	Name  string          `json:"name,omitempty"`
	Input json.RawMessage `json:"input,omitempty"`

	ToolUseID string   `json:"tool_use_id,omitempty"`
	Content   *Content `json:"content,omitempty"`
	IsError   *bool    `json:"is_error,omitempty"`

	Thinking  string `json:"thinking,omitempty"`
	Signature string `json:"signature,omitempty"`

	Data string `json:"data,omitempty"`

	CacheControl json.RawMessage `json:"cache_control,omitempty"`

	// Raw is the block as decoded; when set, MarshalJSON writes it as is
	// (clear it after changing a decoded block).
	Raw json.RawMessage `json:"-"`
}

// Source is the source of an image or a document: Type "base64" (MediaType
// and Data), "url" (URL), "text" (MediaType and Data, documents), "file"
// (FileID) or "content" (documents made of blocks; see Raw).
type Source struct {
	Type      string `json:"type"`
	MediaType string `json:"media_type,omitempty"`
	Data      string `json:"data,omitempty"`
	URL       string `json:"url,omitempty"`
	FileID    string `json:"file_id,omitempty"`
}

type blockFields ContentBlock // without the methods

// modeled reports whether this package models the members of blocks of
// type t.
func modeled(t string) bool {
	switch t {
	case BlockText, BlockImage, BlockDocument, BlockToolUse, BlockToolResult, BlockThinking, BlockRedactedThinking:
		return true
	}
	return false
}

// UnmarshalJSON implements json.Unmarshaler. A block of a type this
// package does not model keeps only its Type and Raw, so that its members,
// whatever their shape, never fail the decoding.
func (b *ContentBlock) UnmarshalJSON(data []byte) error {
	var head struct {
		Type string `json:"type"`
	}
	if err := gojson.Unmarshal(data, &head); err != nil {
		return err
	}
	if modeled(head.Type) {
		var f blockFields
		if err := gojson.Unmarshal(data, &f); err != nil {
			return err
		}
		*b = ContentBlock(f)
	} else {
		*b = ContentBlock{Type: head.Type}
	}
	b.Raw = append(json.RawMessage(nil), data...)
	return nil
}

// MarshalJSON implements json.Marshaler: Raw when set, else the members of
// the block's type, each always present (a text block's "text" even when
// empty, a tool_use's "input" as {} when empty, a thinking block's
// "thinking" and "signature").
func (b ContentBlock) MarshalJSON() ([]byte, error) {
	if len(b.Raw) > 0 {
		return b.Raw, nil
	}
	switch b.Type {
	case BlockText:
		return gojson.Marshal(struct {
			Type         string          `json:"type"`
			Text         string          `json:"text"`
			Citations    json.RawMessage `json:"citations,omitempty"`
			CacheControl json.RawMessage `json:"cache_control,omitempty"`
		}{b.Type, b.Text, b.Citations, b.CacheControl})
	case BlockToolUse:
		input := b.Input
		if len(input) == 0 {
			input = json.RawMessage("{}")
		}
		return gojson.Marshal(struct {
			Type         string          `json:"type"`
			ID           string          `json:"id"`
			Name         string          `json:"name"`
			Input        json.RawMessage `json:"input"`
			CacheControl json.RawMessage `json:"cache_control,omitempty"`
		}{b.Type, b.ID, b.Name, input, b.CacheControl})
	case BlockThinking:
		return gojson.Marshal(struct {
			Type      string `json:"type"`
			Thinking  string `json:"thinking"`
			Signature string `json:"signature"`
		}{b.Type, b.Thinking, b.Signature})
	case BlockRedactedThinking:
		return gojson.Marshal(struct {
			Type string `json:"type"`
			Data string `json:"data"`
		}{b.Type, b.Data})
	}
	return gojson.Marshal(blockFields(b))
}
