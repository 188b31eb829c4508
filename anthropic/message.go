package anthropic

import "encoding/json"

// Message is the answer to a request: the body of a non-streamed answer,
// and the "message" of a stream's message_start event (with empty Content
// and null StopReason there).
type Message struct {
	ID    string `json:"id"`   // "msg_..."
	Type  string `json:"type"` // "message"
	Role  string `json:"role"` // "assistant"
	Model string `json:"model"`
	// Content is the answer's blocks: text, thinking, redacted_thinking,
	// tool_use (and server tool blocks).
	Content []ContentBlock `json:"content"`
	// StopReason says why the answer ended (see the Stop constants); null
	// only in message_start.
	StopReason *string `json:"stop_reason"`
	// StopSequence is the stop sequence that ended the answer, or null.
	StopSequence *string `json:"stop_sequence"`
	// StopDetails explains a refusal; null otherwise.
	StopDetails json.RawMessage `json:"stop_details"`
	Usage       Usage           `json:"usage"`
}

// Stop reasons.
const (
	StopEndTurn                    = "end_turn"      // the model finished
	StopMaxTokens                  = "max_tokens"    // max_tokens or the model's limit
	StopSequence                   = "stop_sequence" // a stop sequence matched
	StopToolUse                    = "tool_use"      // the model called tools
	StopPauseTurn                  = "pause_turn"    // a long server-tool turn paused
	StopRefusal                    = "refusal"       // the model refused
	StopModelContextWindowExceeded = "model_context_window_exceeded"
)

// Usage counts the tokens of a Message. InputTokens excludes the tokens
// read from or written to the prompt cache; the prompt is their sum. In a
// message_delta event every count is the running total of the answer.
type Usage struct {
	InputTokens              int `json:"input_tokens"`
	CacheCreationInputTokens int `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int `json:"cache_read_input_tokens"`
	// CacheCreation breaks CacheCreationInputTokens down by time to live.
	CacheCreation *CacheCreation `json:"cache_creation,omitempty"`
	OutputTokens  int            `json:"output_tokens"`
	// OutputTokensDetails breaks OutputTokens down, when known.
	OutputTokensDetails *OutputTokensDetails `json:"output_tokens_details,omitempty"`
	// ServiceTier is "standard", "priority" or "batch".
	ServiceTier string `json:"service_tier,omitempty"`
}

// CacheCreation is Usage.CacheCreation.
type CacheCreation struct {
	Ephemeral5mInputTokens int `json:"ephemeral_5m_input_tokens"`
	Ephemeral1hInputTokens int `json:"ephemeral_1h_input_tokens"`
}

// OutputTokensDetails is Usage.OutputTokensDetails.
type OutputTokensDetails struct {
	// ThinkingTokens are the output tokens spent on thinking.
	ThinkingTokens int `json:"thinking_tokens"`
}
