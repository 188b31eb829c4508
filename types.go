package oaicompat

import (
	"encoding/json"

	gojson "github.com/goccy/go-json"
)

// This file holds the wire types of the chat completions, embeddings,
// models and images endpoints, following the official OpenAPI spec.
// Optional scalars are pointers so that an absent (or null) field and a zero
// value stay distinguishable: Temperature == nil means "use the default",
// *Temperature == 0 means zero. The union types ([MessageContent], [Stop],
// [ToolChoice], [EmbeddingInput]) live in types_union.go.

// ChatRequest is the body of POST /v1/chat/completions.
//
// Fields this type does not model (vendor extensions such as vLLM's top_k or
// min_p) are kept in Extra; Raw holds the body exactly as received. A [Backend]
// must treat the request as read-only: with n>1 several goroutines share it.
type ChatRequest struct {
	Model               string             `json:"model"`
	Messages            []Message          `json:"messages"`
	Temperature         *float64           `json:"temperature,omitempty"`
	TopP                *float64           `json:"top_p,omitempty"`
	N                   *int               `json:"n,omitempty"`
	Stream              bool               `json:"stream,omitempty"`
	StreamOptions       *StreamOptions     `json:"stream_options,omitempty"`
	Stop                Stop               `json:"stop,omitempty"`
	MaxTokens           *int               `json:"max_tokens,omitempty"`
	MaxCompletionTokens *int               `json:"max_completion_tokens,omitempty"`
	PresencePenalty     *float64           `json:"presence_penalty,omitempty"`
	FrequencyPenalty    *float64           `json:"frequency_penalty,omitempty"`
	LogitBias           map[string]float64 `json:"logit_bias,omitempty"`
	Logprobs            *bool              `json:"logprobs,omitempty"`
	TopLogprobs         *int               `json:"top_logprobs,omitempty"`
	Seed                *int64             `json:"seed,omitempty"`
	User                string             `json:"user,omitempty"`
	SafetyIdentifier    string             `json:"safety_identifier,omitempty"`
	PromptCacheKey      string             `json:"prompt_cache_key,omitempty"`
	// PromptCacheRetention is "in_memory" or "24h" (deprecated by the spec).
	PromptCacheRetention string            `json:"prompt_cache_retention,omitempty"`
	PromptCacheOptions   json.RawMessage   `json:"prompt_cache_options,omitempty"`
	Metadata             map[string]string `json:"metadata,omitempty"`
	Store                *bool             `json:"store,omitempty"`
	Tools                []Tool            `json:"tools,omitempty"`
	ToolChoice           *ToolChoice       `json:"tool_choice,omitempty"`
	ParallelToolCalls    *bool             `json:"parallel_tool_calls,omitempty"`
	// Functions and [FunctionCall] are the deprecated forms of Tools and [ToolChoice].
	Functions       []FunctionDefinition `json:"functions,omitempty"`
	FunctionCall    *ToolChoice          `json:"function_call,omitempty"`
	ResponseFormat  *ResponseFormat      `json:"response_format,omitempty"`
	ReasoningEffort string               `json:"reasoning_effort,omitempty"`
	Verbosity       string               `json:"verbosity,omitempty"`
	Modalities      []string             `json:"modalities,omitempty"`
	ServiceTier     string               `json:"service_tier,omitempty"`
	// Audio (output audio parameters), Prediction (predicted output),
	// WebSearchOptions and Moderation are objects this package only checks
	// for shape; a backend that acts on them decodes them.
	Audio            json.RawMessage `json:"audio,omitempty"`
	Prediction       json.RawMessage `json:"prediction,omitempty"`
	WebSearchOptions json.RawMessage `json:"web_search_options,omitempty"`
	Moderation       json.RawMessage `json:"moderation,omitempty"`

	// Extra holds every top-level field the request carried that this type
	// does not model, keyed by name, as raw JSON.
	Extra map[string]json.RawMessage `json:"-"`
	// Raw is the request body as received. Its bytes back the request's
	// strings and Extra's values: change a copy, never Raw itself.
	Raw json.RawMessage `json:"-"`
}

// Choices returns n, the number of choices asked for (1 when absent).
func (r *ChatRequest) Choices() int {
	if r.N == nil {
		return 1
	}
	return *r.N
}

// TokenLimit returns the output token limit: max_completion_tokens, or its
// deprecated alias max_tokens, and whether either was set.
func (r *ChatRequest) TokenLimit() (int, bool) {
	if r.MaxCompletionTokens != nil {
		return *r.MaxCompletionTokens, true
	}
	if r.MaxTokens != nil {
		return *r.MaxTokens, true
	}
	return 0, false
}

// IncludeUsage reports whether the client asked for the usage chunk of a stream.
func (r *ChatRequest) IncludeUsage() bool {
	return r.StreamOptions != nil && r.StreamOptions.IncludeUsage != nil && *r.StreamOptions.IncludeUsage
}

// WantsLogprobs reports whether the client asked for log probabilities.
func (r *ChatRequest) WantsLogprobs() bool { return r.Logprobs != nil && *r.Logprobs }

// AllowsParallelToolCalls returns parallel_tool_calls, true when absent.
func (r *ChatRequest) AllowsParallelToolCalls() bool {
	return r.ParallelToolCalls == nil || *r.ParallelToolCalls
}

// LastUserMessage returns the text of the last user message, or "".
func (r *ChatRequest) LastUserMessage() string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == RoleUser {
			return r.Messages[i].Content.Text()
		}
	}
	return ""
}

// Message roles.
const (
	RoleSystem    = "system"
	RoleDeveloper = "developer"
	RoleUser      = "user"
	RoleAssistant = "assistant"
	RoleTool      = "tool"
	RoleFunction  = "function" // deprecated
)

// Message is one entry of [ChatRequest].Messages.
type Message struct {
	Role string `json:"role"`
	// Content is a string or a list of parts; absent and null are IsNull.
	Content    MessageContent `json:"content"`
	Name       string         `json:"name,omitempty"`
	ToolCalls  []ToolCall     `json:"tool_calls,omitempty"`
	ToolCallID string         `json:"tool_call_id,omitempty"`
	Refusal    *string        `json:"refusal,omitempty"`
	// Audio refers to a previous audio response: {"id": ...}.
	Audio        json.RawMessage `json:"audio,omitempty"`
	FunctionCall *FunctionCall   `json:"function_call,omitempty"`
	Reasoning    *string         `json:"reasoning_content,omitempty"`
	// ReasoningSignature is the opaque signature that came with Reasoning
	// in a dialect that has one (an Anthropic thinking block's signature),
	// for backends that must send it back to the model that made it.
	ReasoningSignature string `json:"-"`
	// Extra holds members of the message in a translated dialect that chat
	// has no field for, as raw JSON (an Anthropic tool_result's is_error
	// and cache_control).
	Extra map[string]json.RawMessage `json:"-"`
}

// SystemRole returns the message's role with "developer" folded into
// "system", for backends whose models know no developer role.
func (m *Message) SystemRole() string {
	if m.Role == RoleDeveloper {
		return RoleSystem
	}
	return m.Role
}

// ContentPart is one element of a content list. Type is "text", "image_url",
// "input_audio", "file" or "refusal"; the matching field is set. Parts
// translated from another dialect may have other types (see Extra).
type ContentPart struct {
	Type       string      `json:"type"`
	Text       string      `json:"text,omitempty"`
	ImageURL   *ImageURL   `json:"image_url,omitempty"`
	InputAudio *InputAudio `json:"input_audio,omitempty"`
	File       *FileInput  `json:"file,omitempty"`
	Refusal    string      `json:"refusal,omitempty"`
	// Extra holds members of the part in a translated dialect that chat has
	// no field for, as raw JSON: an Anthropic block's cache_control or
	// citations, and every member but "type" of a block chat has no part
	// for (a document, a search result, a redacted_thinking block), whose
	// Type is then the block's type.
	Extra map[string]json.RawMessage `json:"-"`

	noText bool // decoded without a "text" member
}

// UnmarshalJSON implements json.Unmarshaler, noting whether "text" was
// present (a text part without it is a 400, one with "" is not).
func (p *ContentPart) UnmarshalJSON(data []byte) error {
	type plain ContentPart
	var w struct {
		plain
		Text *string `json:"text"`
	}
	if err := gojson.Unmarshal(data, &w); err != nil {
		return err
	}
	*p = ContentPart(w.plain)
	if w.Text != nil {
		p.Text = *w.Text
	} else {
		p.noText = true
	}
	return nil
}

// ImageURL is an image given by URL or as a data: URI, passed on untouched.
type ImageURL struct {
	URL    string `json:"url"`
	Detail string `json:"detail,omitempty"`
}

// InputAudio is base64 audio in a user message.
type InputAudio struct {
	Data   string `json:"data"`
	Format string `json:"format"`
}

// FileInput is a file in a user message, inline (FileData) or by id.
type FileInput struct {
	Filename string `json:"filename,omitempty"`
	FileData string `json:"file_data,omitempty"`
	FileID   string `json:"file_id,omitempty"`
}

// ToolCall is a call the assistant made, in a request's assistant message or
// in a response. Type is "function" (Function set) or "custom" (Custom set).
type ToolCall struct {
	ID       string          `json:"id"`
	Type     string          `json:"type"`
	Function *FunctionCall   `json:"function,omitempty"`
	Custom   *CustomToolCall `json:"custom,omitempty"`
}

// FunctionCall names a function and carries its JSON-encoded arguments.
type FunctionCall struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// CustomToolCall is a call of a custom (free-form input) tool.
type CustomToolCall struct {
	Name  string `json:"name"`
	Input string `json:"input"`
}

// Tool is an entry of [ChatRequest].Tools: Type "function" with Function, or
// "custom" with Custom.
type Tool struct {
	Type     string              `json:"type"`
	Function *FunctionDefinition `json:"function,omitempty"`
	Custom   *CustomTool         `json:"custom,omitempty"`
}

// FunctionDefinition describes a function the model may call.
type FunctionDefinition struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
	Strict      *bool           `json:"strict,omitempty"`
}

// CustomTool describes a tool with free-form (text or grammar) input.
type CustomTool struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Format      json.RawMessage `json:"format,omitempty"`
}

// StreamOptions is [ChatRequest].StreamOptions.
type StreamOptions struct {
	IncludeUsage       *bool `json:"include_usage,omitempty"`
	IncludeObfuscation *bool `json:"include_obfuscation,omitempty"`
}

// ResponseFormat is [ChatRequest].ResponseFormat: Type "text", "json_object" or
// "json_schema" (with JSONSchema).
type ResponseFormat struct {
	Type       string            `json:"type"`
	JSONSchema *JSONSchemaFormat `json:"json_schema,omitempty"`
}

// JSONSchemaFormat is the json_schema member of a [ResponseFormat].
type JSONSchemaFormat struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Schema      json.RawMessage `json:"schema,omitempty"`
	Strict      *bool           `json:"strict,omitempty"`
}

// Finish reasons.
const (
	FinishStop          = "stop"
	FinishLength        = "length"
	FinishToolCalls     = "tool_calls"
	FinishContentFilter = "content_filter"
	FinishFunctionCall  = "function_call"
)

// TokenLogprob is the log probability of one output token.
type TokenLogprob struct {
	Token       string       `json:"token"`
	Logprob     float64      `json:"logprob"`
	Bytes       []int        `json:"bytes"`
	TopLogprobs []TopLogprob `json:"top_logprobs"`
}

// TopLogprob is one of the most likely tokens at a position.
type TopLogprob struct {
	Token   string  `json:"token"`
	Logprob float64 `json:"logprob"`
	Bytes   []int   `json:"bytes"`
}

// Usage counts the tokens of a request. TotalTokens is filled in from the
// other two when left zero.
type Usage struct {
	PromptTokens            int                      `json:"prompt_tokens"`
	CompletionTokens        int                      `json:"completion_tokens"`
	TotalTokens             int                      `json:"total_tokens"`
	PromptTokensDetails     *PromptTokensDetails     `json:"prompt_tokens_details,omitempty"`
	CompletionTokensDetails *CompletionTokensDetails `json:"completion_tokens_details,omitempty"`
}

// PromptTokensDetails breaks prompt tokens down.
type PromptTokensDetails struct {
	CachedTokens int `json:"cached_tokens"`
	AudioTokens  int `json:"audio_tokens,omitempty"`
}

// CompletionTokensDetails breaks completion tokens down.
type CompletionTokensDetails struct {
	ReasoningTokens          int `json:"reasoning_tokens"`
	AudioTokens              int `json:"audio_tokens,omitempty"`
	AcceptedPredictionTokens int `json:"accepted_prediction_tokens,omitempty"`
	RejectedPredictionTokens int `json:"rejected_prediction_tokens,omitempty"`
}

func (u *Usage) total() {
	if u.TotalTokens == 0 {
		u.TotalTokens = u.PromptTokens + u.CompletionTokens
	}
}

// EmbeddingRequest is the body of POST /v1/embeddings.
type EmbeddingRequest struct {
	Model string         `json:"model"`
	Input EmbeddingInput `json:"input"`
	// EncodingFormat is "float" (the default) or "base64"; the handler
	// encodes the [Backend]'s vectors accordingly.
	EncodingFormat string `json:"encoding_format,omitempty"`
	Dimensions     *int   `json:"dimensions,omitempty"`
	User           string `json:"user,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	Raw   json.RawMessage            `json:"-"`
}

// EmbeddingResult is what an [Embedder] returns: one vector per input, in
// input order. [Model], when empty, is the request's model.
type EmbeddingResult struct {
	Model   string
	Vectors [][]float32
	Usage   Usage
}

// Model is an entry of GET /v1/models.
type Model struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

// ImageRequest is the body of POST /v1/images/generations.
type ImageRequest struct {
	Prompt string `json:"prompt"`
	Model  string `json:"model,omitempty"`
	N      *int   `json:"n,omitempty"`
	// Size is "auto", one of the spec's sizes, or any "WxH".
	Size string `json:"size,omitempty"`
	// ResponseFormat is "url" (the default) or "b64_json".
	ResponseFormat    string `json:"response_format,omitempty"`
	Quality           string `json:"quality,omitempty"`
	Style             string `json:"style,omitempty"`
	OutputFormat      string `json:"output_format,omitempty"`
	OutputCompression *int   `json:"output_compression,omitempty"`
	Background        string `json:"background,omitempty"`
	Moderation        string `json:"moderation,omitempty"`
	Stream            bool   `json:"stream,omitempty"`
	PartialImages     *int   `json:"partial_images,omitempty"`
	User              string `json:"user,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	Raw   json.RawMessage            `json:"-"`
}

// Count returns n, the number of images asked for (1 when absent).
func (r *ImageRequest) Count() int {
	if r.N == nil {
		return 1
	}
	return *r.N
}

// ImageResult is what an [ImageGenerator] returns.
type ImageResult struct {
	Images []Image
	// Usage is reported for GPT image models; nil omits it.
	Usage        *ImageUsage
	Background   string
	OutputFormat string
	Size         string
	Quality      string
}

// Image is one generated image. Give Data (the encoded image bytes) and the
// handler answers b64_json requests itself; give URL to answer url requests.
type Image struct {
	Data          []byte
	URL           string
	RevisedPrompt string
}

// ImageUsage is the token usage of an image generation.
type ImageUsage struct {
	InputTokens        int `json:"input_tokens"`
	OutputTokens       int `json:"output_tokens"`
	TotalTokens        int `json:"total_tokens"`
	InputTokensDetails struct {
		TextTokens  int `json:"text_tokens"`
		ImageTokens int `json:"image_tokens"`
	} `json:"input_tokens_details"`
}

// jsonRaw is json.RawMessage, the type of Extra values.
type jsonRaw = json.RawMessage
