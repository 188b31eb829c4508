package anthropic

import (
	"encoding/json"

	gojson "github.com/goccy/go-json"
)

// Request is the body of POST /v1/messages; POST /v1/messages/count_tokens
// takes the same fields without MaxTokens and Stream.
//
// Optional scalars are pointers, so that an absent field and a zero value
// stay apart (MaxTokens 0 is a legal value). Fields this type does not
// model (service_tier, container, cache_control, context_management,
// fields added to the API later) are kept in Extra; Raw holds the body as
// received.
type Request struct {
	Model     string `json:"model"`
	MaxTokens *int   `json:"max_tokens,omitempty"`
	// Messages are the turns of the conversation. Consecutive turns of the
	// same role are one turn; a last assistant turn is a prefill that the
	// answer continues.
	Messages []MessageParam `json:"messages"`
	// System is the system prompt: a string or a list of text blocks.
	System        *Content      `json:"system,omitempty"`
	StopSequences []string      `json:"stop_sequences,omitempty"`
	Stream        bool          `json:"stream,omitempty"`
	Temperature   *float64      `json:"temperature,omitempty"`
	TopP          *float64      `json:"top_p,omitempty"`
	TopK          *int          `json:"top_k,omitempty"`
	Tools         []Tool        `json:"tools,omitempty"`
	ToolChoice    *ToolChoice   `json:"tool_choice,omitempty"`
	Thinking      *Thinking     `json:"thinking,omitempty"`
	Metadata      *Metadata     `json:"metadata,omitempty"`
	OutputConfig  *OutputConfig `json:"output_config,omitempty"`

	// Extra holds every top-level field the request carried that this type
	// does not model, keyed by name, as raw JSON.
	Extra map[string]json.RawMessage `json:"-"`
	// Raw is the request body as received.
	Raw json.RawMessage `json:"-"`
}

// Message roles. RoleSystem inside Messages is what Claude Code sends for
// context added after a user turn.
const (
	RoleUser      = "user"
	RoleAssistant = "assistant"
	RoleSystem    = "system"
)

// MessageParam is one turn of Request.Messages.
type MessageParam struct {
	Role string `json:"role"`
	// Content is a string (one text block) or a list of blocks.
	Content Content `json:"content"`
}

// Tool is an entry of Request.Tools. A custom tool (Type "" or "custom")
// has a Name, an optional Description and an InputSchema; the other types
// are the API's server tools (web_search_20250305, bash_20250124, ...),
// whose members beyond Type and Name only Raw keeps.
type Tool struct {
	Type        string          `json:"type,omitempty"`
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	InputSchema json.RawMessage `json:"input_schema,omitempty"`
	// Strict asks for arguments that always match InputSchema.
	Strict       *bool           `json:"strict,omitempty"`
	CacheControl json.RawMessage `json:"cache_control,omitempty"`

	// Raw is the tool as decoded; when set, MarshalJSON writes it as is
	// (clear it after changing a decoded tool).
	Raw json.RawMessage `json:"-"`
}

// IsCustom reports whether t is a custom tool, one the model calls with
// input the client's code handles.
func (t *Tool) IsCustom() bool { return t.Type == "" || t.Type == "custom" }

type toolFields Tool // without the methods

// UnmarshalJSON implements json.Unmarshaler, keeping the bytes in Raw.
func (t *Tool) UnmarshalJSON(data []byte) error {
	var f toolFields
	if err := gojson.Unmarshal(data, &f); err != nil {
		return err
	}
	*t = Tool(f)
	t.Raw = append(json.RawMessage(nil), data...)
	return nil
}

// MarshalJSON implements json.Marshaler: Raw when set, else the fields.
func (t Tool) MarshalJSON() ([]byte, error) {
	if len(t.Raw) > 0 {
		return t.Raw, nil
	}
	return gojson.Marshal(toolFields(t))
}

// Tool choice types.
const (
	ToolChoiceAuto = "auto" // the model decides
	ToolChoiceAny  = "any"  // the model must call some tool
	ToolChoiceTool = "tool" // the model must call the tool Name
	ToolChoiceNone = "none" // the model must not call tools
)

// ToolChoice is Request.ToolChoice: always an object.
type ToolChoice struct {
	Type string `json:"type"`
	// Name is the tool that Type "tool" forces.
	Name string `json:"name,omitempty"`
	// DisableParallelToolUse limits the answer to one tool call (at most
	// one for auto, exactly one for any and tool).
	DisableParallelToolUse *bool `json:"disable_parallel_tool_use,omitempty"`
}

// Thinking types.
const (
	ThinkingEnabled  = "enabled"
	ThinkingDisabled = "disabled"
	ThinkingAdaptive = "adaptive"
)

// Thinking is Request.Thinking: extended thinking, "enabled" with a token
// budget, "adaptive" (the model decides how much) or "disabled".
type Thinking struct {
	Type string `json:"type"`
	// BudgetTokens bounds the thinking of Type "enabled": at least 1024,
	// less than max_tokens.
	BudgetTokens *int `json:"budget_tokens,omitempty"`
	// Display is "summarized" or "omitted".
	Display string `json:"display,omitempty"`
}

// Metadata is Request.Metadata.
type Metadata struct {
	// UserID is an opaque id of the end user.
	UserID string `json:"user_id,omitempty"`
}

// OutputConfig is Request.OutputConfig: the effort the model spends and
// the format of its answer.
type OutputConfig struct {
	// Effort is "low", "medium", "high", "xhigh" or "max".
	Effort string        `json:"effort,omitempty"`
	Format *OutputFormat `json:"format,omitempty"`
}

// OutputFormat asks for an answer that is JSON matching Schema (Type
// "json_schema").
type OutputFormat struct {
	Type   string          `json:"type"`
	Schema json.RawMessage `json:"schema,omitempty"`
}

// CountTokensResponse is the answer of POST /v1/messages/count_tokens.
type CountTokensResponse struct {
	InputTokens int `json:"input_tokens"`
}
