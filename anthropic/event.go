package anthropic

import (
	"encoding/json"

	gojson "github.com/goccy/go-json"
)

// The events of a stream, in order: one message_start; for each content
// block a content_block_start, its content_block_delta events and a
// content_block_stop; a message_delta with the stop reason and the
// cumulative usage; message_stop. ping events may come anywhere, and an
// error event ends a stream that failed after it began. Each event is sent
// as "event: <type>" and "data: <json>", the JSON's "type" repeating the
// event's name. Set Type to the event's name when writing one.

// Event names.
const (
	EventMessageStart      = "message_start"
	EventContentBlockStart = "content_block_start"
	EventContentBlockDelta = "content_block_delta"
	EventContentBlockStop  = "content_block_stop"
	EventMessageDelta      = "message_delta"
	EventMessageStop       = "message_stop"
	EventPing              = "ping"
	EventError             = "error"
)

// MessageStartEvent opens a stream with the Message so far: no content,
// a null stop reason, the usage known before generation.
type MessageStartEvent struct {
	Type    string  `json:"type"`
	Message Message `json:"message"`
}

// ContentBlockStartEvent opens block Index (0, 1, 2, ... in start order)
// with its empty form: a text block with "text":"", a thinking block with
// empty thinking and signature, a tool_use block with "input":{}.
type ContentBlockStartEvent struct {
	Type         string       `json:"type"`
	Index        int          `json:"index"`
	ContentBlock ContentBlock `json:"content_block"`
}

// ContentBlockDeltaEvent adds to block Index.
type ContentBlockDeltaEvent struct {
	Type  string     `json:"type"`
	Index int        `json:"index"`
	Delta BlockDelta `json:"delta"`
}

// ContentBlockStopEvent closes block Index.
type ContentBlockStopEvent struct {
	Type  string `json:"type"`
	Index int    `json:"index"`
}

// MessageDeltaEvent carries the stop reason and the usage so far.
type MessageDeltaEvent struct {
	Type  string       `json:"type"`
	Delta MessageDelta `json:"delta"`
	Usage Usage        `json:"usage"`
}

// MessageStopEvent ends a stream.
type MessageStopEvent struct {
	Type string `json:"type"`
}

// Block delta types.
const (
	DeltaText      = "text_delta"       // Text
	DeltaInputJSON = "input_json_delta" // PartialJSON: a piece of a tool_use's input
	DeltaThinking  = "thinking_delta"   // Thinking
	DeltaSignature = "signature_delta"  // Signature, just before a thinking block stops
	DeltaCitations = "citations_delta"  // Citation
)

// BlockDelta is the delta of a ContentBlockDeltaEvent; Type says which
// field is set.
type BlockDelta struct {
	Type        string          `json:"type"`
	Text        string          `json:"text,omitempty"`
	PartialJSON string          `json:"partial_json,omitempty"`
	Thinking    string          `json:"thinking,omitempty"`
	Signature   string          `json:"signature,omitempty"`
	Citation    json.RawMessage `json:"citation,omitempty"`
}

type deltaFields BlockDelta

// MarshalJSON implements json.Marshaler: the member of the delta's type is
// always present, even when empty.
func (d BlockDelta) MarshalJSON() ([]byte, error) {
	var name, v string
	switch d.Type {
	case DeltaText:
		name, v = "text", d.Text
	case DeltaInputJSON:
		name, v = "partial_json", d.PartialJSON
	case DeltaThinking:
		name, v = "thinking", d.Thinking
	case DeltaSignature:
		name, v = "signature", d.Signature
	default:
		return gojson.Marshal(deltaFields(d))
	}
	typ, _ := gojson.Marshal(d.Type)
	val, err := gojson.Marshal(v)
	if err != nil {
		return nil, err
	}
	b := append([]byte(`{"type":`), typ...)
	b = append(append(append(b, `,"`...), name...), `":`...)
	return append(append(b, val...), '}'), nil
}

// MessageDelta is the delta of a MessageDeltaEvent.
type MessageDelta struct {
	StopReason   *string         `json:"stop_reason"`
	StopSequence *string         `json:"stop_sequence"`
	StopDetails  json.RawMessage `json:"stop_details"`
}
