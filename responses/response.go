package responses

import (
	"encoding/json"

	gojson "github.com/goccy/go-json"
	"github.com/oaicompat/oaicompat/internal/jsonx"
)

// This file holds the Response object and its output items. Output items
// and their parts are encoded by hand (OutputItem.AppendJSON), so that the
// Response object and the stream events that carry single items produce the
// same bytes.

// Response is the Responses API's answer object: the body of a non-streamed
// POST /v1/responses and of GET /v1/responses/{id}, and the "response" of
// the response.created/.completed/... stream events. Every field the spec
// requires is always present; nullable ones are null when unset.
type Response struct {
	ID                 string             `json:"id"`
	Object             string             `json:"object"`
	CreatedAt          int64              `json:"created_at"`
	Status             string             `json:"status"`
	Background         bool               `json:"background"`
	CompletedAt        *int64             `json:"completed_at"`
	Error              *Error             `json:"error"`
	IncompleteDetails  *IncompleteDetails `json:"incomplete_details"`
	Instructions       *string            `json:"instructions"`
	MaxOutputTokens    *int               `json:"max_output_tokens"`
	MaxToolCalls       *int               `json:"max_tool_calls"`
	Model              string             `json:"model"`
	Output             []OutputItem       `json:"output"`
	ParallelToolCalls  bool               `json:"parallel_tool_calls"`
	PreviousResponseID *string            `json:"previous_response_id"`
	Reasoning          Reasoning          `json:"reasoning"`
	ServiceTier        string             `json:"service_tier"`
	Store              bool               `json:"store"`
	Temperature        float64            `json:"temperature"`
	Text               TextConfig         `json:"text"`
	ToolChoice         ToolChoice         `json:"tool_choice"`
	Tools              []json.RawMessage  `json:"tools"`
	TopLogprobs        int                `json:"top_logprobs"`
	TopP               float64            `json:"top_p"`
	Truncation         string             `json:"truncation"`
	Usage              *Usage             `json:"usage"`
	User               *string            `json:"user"`
	Metadata           map[string]string  `json:"metadata"`
	SafetyIdentifier   string             `json:"safety_identifier,omitempty"`
	PromptCacheKey     string             `json:"prompt_cache_key,omitempty"`
}

// Response statuses.
const (
	StatusInProgress = "in_progress"
	StatusCompleted  = "completed"
	StatusIncomplete = "incomplete"
	StatusFailed     = "failed"
)

// Error is Response.error: why a response failed.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// IncompleteDetails is Response.incomplete_details: Reason is
// "max_output_tokens" or "content_filter".
type IncompleteDetails struct {
	Reason string `json:"reason"`
}

// Usage is the token usage of a Response, in the Responses naming.
type Usage struct {
	InputTokens        int `json:"input_tokens"`
	InputTokensDetails struct {
		CachedTokens     int `json:"cached_tokens"`
		CacheWriteTokens int `json:"cache_write_tokens"`
	} `json:"input_tokens_details"`
	OutputTokens        int `json:"output_tokens"`
	OutputTokensDetails struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`
	TotalTokens int `json:"total_tokens"`
}

// OutputItem is an item of Response.output: Type "message" (Role, Content),
// "function_call" (CallID, Name, Arguments) or "reasoning" (Summary, the
// text of its one summary part, and EncryptedContent).
type OutputItem struct {
	Type             string
	ID               string
	Status           string
	Role             string
	Content          []OutputContent
	CallID           string
	Name             string
	Arguments        string
	Summary          string
	EncryptedContent string
}

// OutputContent is a part of an output message: Type "output_text" (Text,
// Logprobs) or "refusal" (Refusal).
type OutputContent struct {
	Type     string
	Text     string
	Refusal  string
	Logprobs []Logprob
}

// Logprob is the log probability of one output token, with the most likely
// alternatives when the request asked for top_logprobs.
type Logprob struct {
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

// MarshalJSON implements json.Marshaler.
func (it OutputItem) MarshalJSON() ([]byte, error) { return it.AppendJSON(nil), nil }

// UnmarshalJSON implements json.Unmarshaler, for stores that keep Responses
// as JSON.
func (it *OutputItem) UnmarshalJSON(data []byte) error {
	var w struct {
		Type      string `json:"type"`
		ID        string `json:"id"`
		Status    string `json:"status"`
		Role      string `json:"role"`
		CallID    string `json:"call_id"`
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
		Summary   []struct {
			Text string `json:"text"`
		} `json:"summary"`
		EncryptedContent string `json:"encrypted_content"`
		Content          []struct {
			Type     string    `json:"type"`
			Text     string    `json:"text"`
			Refusal  string    `json:"refusal"`
			Logprobs []Logprob `json:"logprobs"`
		} `json:"content"`
	}
	if err := gojson.Unmarshal(data, &w); err != nil {
		return err
	}
	*it = OutputItem{Type: w.Type, ID: w.ID, Status: w.Status, Role: w.Role, CallID: w.CallID, Name: w.Name, Arguments: w.Arguments,
		EncryptedContent: w.EncryptedContent}
	for _, p := range w.Summary {
		it.Summary += p.Text
	}
	for _, c := range w.Content {
		it.Content = append(it.Content, OutputContent{Type: c.Type, Text: c.Text, Refusal: c.Refusal, Logprobs: c.Logprobs})
	}
	return nil
}

// AppendJSON appends the item's JSON to b, as the spec shapes it: a message
// always has content (possibly []), a function call always has arguments.
// The stream events that carry an item use it, so that they and the
// Response object agree byte for byte.
func (it *OutputItem) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = jsonx.AppendString(b, it.ID)
	b = append(b, `,"type":`...)
	b = jsonx.AppendString(b, it.Type)
	b = append(b, `,"status":`...)
	b = jsonx.AppendString(b, it.Status)
	switch it.Type {
	case "reasoning":
		b = append(b, `,"summary":[`...)
		if it.Summary != "" {
			b = append(b, `{"type":"summary_text","text":`...)
			b = jsonx.AppendString(b, it.Summary)
			b = append(b, '}')
		}
		b = append(b, ']')
		if it.EncryptedContent != "" {
			b = append(b, `,"encrypted_content":`...)
			b = jsonx.AppendString(b, it.EncryptedContent)
		}
	case "function_call":
		b = append(b, `,"arguments":`...)
		b = jsonx.AppendString(b, it.Arguments)
		b = append(b, `,"call_id":`...)
		b = jsonx.AppendString(b, it.CallID)
		b = append(b, `,"name":`...)
		b = jsonx.AppendString(b, it.Name)
	default:
		b = append(b, `,"content":[`...)
		for i := range it.Content {
			if i > 0 {
				b = append(b, ',')
			}
			b = it.Content[i].AppendJSON(b)
		}
		b = append(b, `],"role":`...)
		b = jsonx.AppendString(b, it.Role)
	}
	return append(b, '}')
}

// AppendJSON appends the part's JSON to b: an output_text part always has
// annotations and logprobs, a refusal part its refusal.
func (c *OutputContent) AppendJSON(b []byte) []byte {
	if c.Type == "refusal" {
		b = append(b, `{"type":"refusal","refusal":`...)
		b = jsonx.AppendString(b, c.Refusal)
		return append(b, '}')
	}
	b = append(b, `{"type":"output_text","annotations":[],"logprobs":`...)
	if len(c.Logprobs) == 0 {
		b = append(b, "[]"...)
	} else {
		lp, _ := gojson.Marshal(c.Logprobs)
		b = append(b, lp...)
	}
	b = append(b, `,"text":`...)
	b = jsonx.AppendString(b, c.Text)
	return append(b, '}')
}
