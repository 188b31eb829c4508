package oaitest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/anthropic"
)

// Request is one journal entry: a request the mock received, how it was
// decoded and how it was answered. Entries are snapshots: the slices
// returned by Mock.Requests are copies that later requests do not change.
type Request struct {
	// Seq numbers requests from 1 in order of arrival.
	Seq int
	// Method and Path are the HTTP method and URL path.
	Method, Path string
	// Header holds the request headers; Authorization, Api-Key, Cookie and
	// the other credentials are redacted.
	Header http.Header
	// Body is the raw request body.
	Body []byte
	// Endpoint is EndpointChat, EndpointEmbeddings, EndpointImages,
	// EndpointModels, or "" for a path the mock does not serve. Requests of
	// the Responses API, of legacy completions and of Anthropic Messages
	// are EndpointChat too: the handler translates them into chat requests
	// for the mock (their API field tells them apart).
	Endpoint string
	// API is the wire API the request used: "chat.completions",
	// "responses", "completions", "messages", "messages.count_tokens",
	// "embeddings", ... (oaicompat.CallInfo's Endpoint).
	API string
	// The decoded request, for the endpoint it was sent to; a body that the
	// handler rejected is decoded as far as possible.
	Chat      *oaicompat.ChatRequest
	Embedding *oaicompat.EmbeddingRequest
	Image     *oaicompat.ImageRequest
	// Messages is an Anthropic Messages request as sent (Chat holds its
	// translation, which rules match).
	Messages *anthropic.Request
	// Attempt is 1 for the first request with this method, path and body,
	// 2 for its first retry, and so on.
	Attempt int
	// RetryCount is the X-Stainless-Retry-Count header the OpenAI SDKs send
	// (-1 when absent).
	RetryCount int
	// At is the wall-clock time the request arrived. Client back-off runs in
	// real time, so At is not taken from the Mock's Clock.
	At time.Time
	// Rule names the rule that answered, "" when none did.
	Rule string
	// Status and ResponseHeader are what the mock answered.
	Status         int
	ResponseHeader http.Header
	// Err is the error answered, nil on success.
	Err *oaicompat.Error

	rawHeader http.Header // unredacted, for Header conditions
}

func (r *Request) clone() *Request {
	c := *r
	c.Header = r.Header.Clone()
	c.ResponseHeader = r.ResponseHeader.Clone()
	return &c
}

func (r *Request) model() string {
	switch {
	case r.Chat != nil:
		return r.Chat.Model
	case r.Messages != nil:
		return r.Messages.Model
	case r.Embedding != nil:
		return r.Embedding.Model
	case r.Image != nil:
		return r.Image.Model
	}
	return ""
}

// Turn returns the number of assistant messages in the conversation: 0 for
// the first call of an agent loop, 1 after one model answer, and so on.
func (r *Request) Turn() int {
	if r.Chat == nil {
		return 0
	}
	n := 0
	for _, m := range r.Chat.Messages {
		if m.Role == oaicompat.RoleAssistant {
			n++
		}
	}
	return n
}

// Roles returns the roles of the request's messages in order.
func (r *Request) Roles() []string {
	if r.Chat == nil {
		return nil
	}
	roles := make([]string, len(r.Chat.Messages))
	for i, m := range r.Chat.Messages {
		roles[i] = m.Role
	}
	return roles
}

// ToolResult is a tool message of a request with the call it answers.
type ToolResult struct {
	// CallID is the tool_call_id; Name the function called, when an earlier
	// assistant message has the call.
	CallID, Name string
	// Content is the tool message's text.
	Content string
	// Index is the message's position in messages.
	Index int
}

// ToolResults returns the tool messages of the request.
func (r *Request) ToolResults() []ToolResult { return r.toolResults() }

func (r *Request) toolResults() []ToolResult {
	if r.Chat == nil {
		return nil
	}
	names := map[string]string{}
	var out []ToolResult
	for i, m := range r.Chat.Messages {
		for _, tc := range m.ToolCalls {
			if tc.Function != nil {
				names[tc.ID] = tc.Function.Name
			}
		}
		if m.Role == oaicompat.RoleTool {
			out = append(out, ToolResult{CallID: m.ToolCallID, Name: names[m.ToolCallID], Content: m.Content.Text(), Index: i})
		}
	}
	return out
}

func (r *Request) toolNames() []string {
	if r.Chat == nil {
		return nil
	}
	var names []string
	for _, t := range r.Chat.Tools {
		switch {
		case t.Function != nil:
			names = append(names, t.Function.Name)
		case t.Custom != nil:
			names = append(names, t.Custom.Name)
		}
	}
	return names
}

// Param returns the value at path in the request body, decoded as by
// encoding/json (numbers are float64). The path is dotted with indexes:
// "temperature", "messages[1].role", "tools[0].function.name".
func (r *Request) Param(path string) (any, bool) {
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		return nil, false
	}
	for _, seg := range splitPath(path) {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[seg]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// splitPath splits "a.b[2].c" into a, b, 2, c.
func splitPath(p string) []string {
	p = strings.NewReplacer("[", ".", "]", "").Replace(p)
	return strings.FieldsFunc(p, func(r rune) bool { return r == '.' })
}

// secretHeaders are redacted in the journal and never written to tapes.
var secretHeaders = []string{"Authorization", "Api-Key", "X-Api-Key", "Proxy-Authorization",
	"Cookie", "Set-Cookie", "Openai-Organization", "Openai-Project"}

// redact returns a copy of h with credentials replaced by "[REDACTED]",
// keeping an auth scheme such as "Bearer".
func redact(h http.Header) http.Header {
	c := h.Clone()
	for _, k := range secretHeaders {
		vs := c[k]
		for i, v := range vs {
			if scheme, _, ok := strings.Cut(v, " "); ok && !strings.HasPrefix(v, "sk-") {
				vs[i] = scheme + " [REDACTED]"
			} else {
				vs[i] = "[REDACTED]"
			}
		}
	}
	return c
}

// isMessagesPath reports whether path is one of the Anthropic Messages API.
func isMessagesPath(path string) bool {
	return strings.HasSuffix(path, "/messages") || strings.HasSuffix(path, "/messages/count_tokens")
}

// endpointOf maps a request path to its endpoint.
func endpointOf(path string) string {
	switch {
	case strings.HasSuffix(path, "/chat/completions") || strings.HasSuffix(path, "/responses") || strings.HasSuffix(path, "/completions") ||
		isMessagesPath(path):
		return EndpointChat
	case strings.HasSuffix(path, "/embeddings"):
		return EndpointEmbeddings
	case strings.HasSuffix(path, "/images/generations"):
		return EndpointImages
	case strings.HasSuffix(path, "/models") || strings.Contains(path, "/models/"):
		return EndpointModels
	}
	return ""
}
