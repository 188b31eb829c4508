package oaitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/oaicompat/oaicompat"
)

// Reply is what a rule answers: content (text, refusal, tool calls, JSON),
// an error, embeddings, images, a model list or a delegated Backend, plus
// how it is delivered (pacing, headers, stream faults). Build one with a
// constructor (Text, ToolCalls, Error, ...) and refine it with methods:
//
//	oaitest.Text("22°C and sunny").Usage(42, 7).Pace(oaitest.Pacing{TTFT: time.Second})
//
// The zero content (Auto) answers what the request asks for: a value valid
// against the json_schema response format, a call of the forced tool with
// arguments valid against its parameters, "{}" for json_object, else a
// short text. A Reply is immutable once a rule uses it; methods modify and
// return the receiver while building.
type Reply struct {
	auto      bool
	reasoning string
	stopSeq   string
	text      string
	refusal   string
	calls     []ToolCall
	finish    string
	usage     *oaicompat.Usage
	err       *oaicompat.Error
	header    http.Header
	vectors   [][]float32
	images    []oaicompat.Image
	models    []string
	backend   oaicompat.Backend
	pacing    *Pacing
	hang      bool
	stall     bool
	stallAt   int // stall after this many tokens
	errAt     int // error after this many tokens, when errEvent is set
	errEvent  *oaicompat.Error
	wire      wireFaults
}

// ToolCall is a function call in a ToolCalls reply. An empty ID is
// generated (call_oaitest-000001, ...).
type ToolCall struct {
	ID, Name, Arguments string
}

// Call returns a ToolCall of function name with JSON arguments.
func Call(name, arguments string) ToolCall { return ToolCall{Name: name, Arguments: arguments} }

// Auto answers what the request asks for (see Reply). It is the reply of a
// rule given none.
func Auto() *Reply { return &Reply{auto: true} }

// Text answers the assistant text s.
func Text(s string) *Reply { return &Reply{text: s} }

// Refusal answers a refusal with message s.
func Refusal(s string) *Reply { return &Reply{refusal: s} }

// ToolCalls answers one or several (parallel) function calls; content is
// null and the finish reason "tool_calls", as OpenAI sends them.
func ToolCalls(calls ...ToolCall) *Reply { return &Reply{calls: calls} }

// JSON answers the JSON encoding of v as the message content, for requests
// asking for structured output. A json.RawMessage or []byte is sent as is.
// It panics if v cannot be encoded.
func JSON(v any) *Reply {
	var b []byte
	switch x := v.(type) {
	case json.RawMessage:
		b = x
	case []byte:
		b = x
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			panic(fmt.Sprintf("oaitest.JSON: %v", err))
		}
	}
	return &Reply{text: string(b)}
}

// Error answers an HTTP error in OpenAI's envelope with the type and code
// OpenAI uses for status: 400 invalid_request_error, 401 invalid_api_key,
// 403 request_forbidden, 404, 409, 422, 429 rate_limit_exceeded, 500, 502,
// 503 server_error. An empty message gets OpenAI's usual text.
func Error(status int, message string) *Reply {
	typ, code, text := oaicompat.TypeInvalidRequest, "", "Invalid request."
	switch {
	case status == http.StatusUnauthorized:
		code, text = "invalid_api_key", "Incorrect API key provided."
	case status == http.StatusForbidden:
		typ, code, text = oaicompat.TypeForbidden, "unsupported_country_region_territory", "Country, region, or territory not supported"
	case status == http.StatusNotFound:
		text = "Not found."
	case status == http.StatusConflict:
		text = "Conflict: the resource is being modified; retry."
	case status == http.StatusTooManyRequests:
		typ, code, text = oaicompat.TypeRateLimit, "rate_limit_exceeded", "Rate limit reached for requests. Please try again later."
	case status == http.StatusServiceUnavailable:
		typ, text = oaicompat.TypeServerError, "That model is currently overloaded with other requests. You can retry your request."
	case status >= 500:
		typ, text = oaicompat.TypeServerError, "The server had an error while processing your request. Sorry about that!"
	}
	if message == "" {
		message = text
	}
	return &Reply{err: &oaicompat.Error{Status: status, Type: typ, Code: code, Message: message}}
}

// ErrorFrom answers the error e as is (status, type, code, param, headers).
func ErrorFrom(e *oaicompat.Error) *Reply {
	c := *e
	c.Header = e.Header.Clone()
	return &Reply{err: &c}
}

// RateLimited answers 429 rate_limit_exceeded asking the client to retry
// after d (Retry-After in whole seconds, rounded up, and retry-after-ms).
func RateLimited(d time.Duration) *Reply { return Error(http.StatusTooManyRequests, "").RetryAfter(d) }

// Vectors answers an embeddings request with the given vectors, one per
// input. Without it (Auto), an embeddings request gets deterministic
// vectors (see Embed) of the requested dimensions (1536 by default).
func Vectors(vectors ...[]float32) *Reply { return &Reply{vectors: vectors} }

// Pictures answers an image request with the given images. Without it
// (Auto), an image request gets n one-pixel PNGs, as b64_json or as data:
// URLs.
func Pictures(images ...oaicompat.Image) *Reply { return &Reply{images: images} }

// ModelList answers GET /v1/models with these model ids.
func ModelList(ids ...string) *Reply { return &Reply{models: ids} }

// FromBackend delegates the request to b, any oaicompat Backend (its
// Embedder, ImageGenerator and ModelLister capabilities too).
func FromBackend(b oaicompat.Backend) *Reply { return &Reply{backend: b} }

// Hang answers nothing: the request blocks until the client gives up or
// the mock is closed, to test client timeouts.
func Hang() *Reply { return &Reply{hang: true} }

// Finish sets the finish reason ("stop", "length", "tool_calls",
// "content_filter"). By default it follows the content.
func (r *Reply) Finish(reason string) *Reply { r.finish = reason; return r }

// Reasoning adds the model's reasoning, written before the rest of the
// reply: chat clients read it as reasoning_content, Responses clients as a
// reasoning item, Anthropic Messages clients as a thinking block.
func (r *Reply) Reasoning(s string) *Reply { r.reasoning = s; return r }

// StopSequence ends the reply on the stop sequence s (finish reason
// "stop"), which Anthropic Messages clients see as stop_reason
// "stop_sequence" with s (see oaicompat.Delta.StopSequence).
func (r *Reply) StopSequence(s string) *Reply { r.stopSeq = s; return r }

// Usage sets the token usage reported. By default usage is computed
// deterministically from the request and the reply (see CountTokens).
func (r *Reply) Usage(prompt, completion int) *Reply {
	r.usage = &oaicompat.Usage{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: prompt + completion}
	return r
}

// Header adds a response header.
func (r *Reply) Header(key, value string) *Reply {
	if r.header == nil {
		r.header = http.Header{}
	}
	r.header.Add(key, value)
	return r
}

// RetryAfter sets Retry-After (whole seconds, rounded up) and
// retry-after-ms, which the OpenAI SDKs prefer.
func (r *Reply) RetryAfter(d time.Duration) *Reply {
	secs := int64((d + time.Second - 1) / time.Second)
	r.Header("Retry-After", strconv.FormatInt(secs, 10))
	return r.Header("Retry-After-Ms", strconv.FormatInt(d.Milliseconds(), 10))
}

// RetryAfterDate sets Retry-After as an HTTP date.
func (r *Reply) RetryAfterDate(t time.Time) *Reply {
	return r.Header("Retry-After", t.UTC().Format(http.TimeFormat))
}

// ShouldRetry sets x-should-retry, which overrides the SDKs' decision to
// retry based on the status.
func (r *Reply) ShouldRetry(retry bool) *Reply {
	return r.Header("X-Should-Retry", strconv.FormatBool(retry))
}

// Pace sets the reply's pacing, overriding the Mock's default (WithPacing).
func (r *Reply) Pace(p Pacing) *Reply { r.pacing = &p; return r }

// StallAfter makes the reply stop after n tokens and block until the client
// gives up or the mock is closed (a stream that goes silent).
func (r *Reply) StallAfter(n int) *Reply { r.stall, r.stallAt = true, n; return r }

// ErrorAfter makes a stream send n tokens, then e in-band (data:
// {"error":...} then [DONE]; an error event on an Anthropic Messages
// stream), as the production handler reports a backend error after the
// stream began. Before any token it is an HTTP error.
func (r *Reply) ErrorAfter(n int, e *oaicompat.Error) *Reply {
	r.errAt, r.errEvent = n, e
	return r
}

// DisconnectAfter closes the connection after n SSE events (keep-alives
// do not count), without the end of the stream;
// DisconnectAfter(0) closes it before the response headers (a connection
// reset the SDKs retry).
func (r *Reply) DisconnectAfter(n int) *Reply {
	r.wire.disconnectAt = n
	r.wire.disconnect = true
	return r
}

// MalformedChunk replaces SSE event n (from 1) with a data line of broken
// JSON (a named content_block_delta event on an Anthropic Messages stream,
// whose clients drop unnamed ones).
func (r *Reply) MalformedChunk(n int) *Reply { r.wire.malformedAt = n; return r }

// NoDone leaves out the final data: [DONE] of a stream (the message_stop
// event of an Anthropic Messages stream).
func (r *Reply) NoDone() *Reply { r.wire.noDone = true; return r }

// SplitWrites splits every SSE event across several writes at random byte
// boundaries (mid-line, mid-UTF-8), flushing between pieces, with a
// generator seeded by seed. It catches clients that parse each network
// read as whole events.
func (r *Reply) SplitWrites(seed uint64) *Reply { r.wire.split, r.wire.seed = true, seed; return r }

// String describes the reply for messages.
func (r *Reply) String() string {
	switch {
	case r == nil || r.auto:
		return "auto"
	case r.err != nil:
		return fmt.Sprintf("error %d", r.err.Status)
	case r.hang:
		return "hang"
	case r.backend != nil:
		return fmt.Sprintf("backend %T", r.backend)
	case len(r.calls) > 0:
		return fmt.Sprintf("%d tool call(s)", len(r.calls))
	case r.refusal != "":
		return "refusal " + strconv.Quote(clip(r.refusal))
	case r.vectors != nil:
		return fmt.Sprintf("%d embedding(s)", len(r.vectors))
	case r.images != nil:
		return fmt.Sprintf("%d image(s)", len(r.images))
	case r.models != nil:
		return fmt.Sprintf("%d model(s)", len(r.models))
	}
	return "text " + strconv.Quote(clip(r.text))
}
