package oaitest

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/oaicompat/oaicompat"
)

// Endpoints as recorded in Request.Endpoint and matched by Match.
const (
	EndpointChat       = "chat.completions"
	EndpointEmbeddings = "embeddings"
	EndpointImages     = "images.generations"
	EndpointModels     = "models"
)

// Pattern matches a piece of text: Equals, Contains or Regexp.
type Pattern struct {
	desc  string
	match func(string) bool
}

// Equals matches text equal to s.
func Equals(s string) Pattern {
	return Pattern{desc: "equals " + strconv.Quote(s), match: func(x string) bool { return x == s }}
}

// Contains matches text containing s.
func Contains(s string) Pattern {
	return Pattern{desc: "contains " + strconv.Quote(s), match: func(x string) bool { return strings.Contains(x, s) }}
}

// Regexp matches text in which the regular expression expr finds a match.
// It panics if expr does not compile, like regexp.MustCompile.
func Regexp(expr string) Pattern {
	re := regexp.MustCompile(expr)
	return Pattern{desc: "matches /" + expr + "/", match: re.MatchString}
}

// String describes the pattern, e.g. `contains "weather"`.
func (p Pattern) String() string { return p.desc }

// Match is a conjunction of conditions on a request, built by chaining:
//
//	oaitest.Chat().Model("gpt-4o-mini").LastUser(oaitest.Contains("weather"))
//
// A Match is immutable: each method returns a new Match. It is what
// Mock.On and Turn take. When a request matches no rule,
// the rule whose Match failed on the fewest conditions is reported with
// each failed condition's expectation and actual value.
type Match struct {
	conds []cond
}

// cond is one condition: what it looks at, what it wants, and a check that
// returns whether r satisfies it and what r actually had.
type cond struct {
	what, want string
	check      func(r *Request) (ok bool, got string)
}

// Chat matches chat requests: chat completions, and the Responses API,
// legacy completions and Anthropic Messages, which the handler serves from
// the same Backend (see API).
func Chat() *Match { return (&Match{}).Endpoint(EndpointChat) }

// Embeddings matches embedding requests.
func Embeddings() *Match { return (&Match{}).Endpoint(EndpointEmbeddings) }

// Images matches image generation requests.
func Images() *Match { return (&Match{}).Endpoint(EndpointImages) }

// Models matches model listing and retrieval requests.
func Models() *Match { return (&Match{}).Endpoint(EndpointModels) }

// AnyRequest matches every request, on any endpoint.
func AnyRequest() *Match { return &Match{} }

// add returns a new Match with one more condition; m is unchanged, so a
// partial Match can be shared: base.Stream(true) and base.Stream(false).
func (m *Match) add(what, want string, check func(r *Request) (bool, string)) *Match {
	conds := make([]cond, len(m.conds), len(m.conds)+1)
	copy(conds, m.conds)
	return &Match{conds: append(conds, cond{what: what, want: want, check: check})}
}

// Endpoint requires the endpoint (EndpointChat, EndpointEmbeddings, ...).
func (m *Match) Endpoint(e string) *Match {
	return m.add("endpoint", strconv.Quote(e), func(r *Request) (bool, string) {
		return r.Endpoint == e, strconv.Quote(r.Endpoint)
	})
}

// API requires the wire API: "chat.completions", "responses",
// "completions" or "messages" (Anthropic Messages) for chat requests (Chat
// matches them all).
func (m *Match) API(api string) *Match {
	return m.add("api", strconv.Quote(api), func(r *Request) (bool, string) {
		return r.API == api, strconv.Quote(r.API)
	})
}

// Model requires the requested model to be name.
func (m *Match) Model(name string) *Match {
	return m.add("model", strconv.Quote(name), func(r *Request) (bool, string) {
		got := r.model()
		return got == name, strconv.Quote(got)
	})
}

// Stream requires the request to be streamed (true) or not (false).
func (m *Match) Stream(stream bool) *Match {
	return m.add("stream", strconv.FormatBool(stream), func(r *Request) (bool, string) {
		got := r.Chat != nil && r.Chat.Stream
		return got == stream, strconv.FormatBool(got)
	})
}

// LastUser requires the text of the last user message to match p.
func (m *Match) LastUser(p Pattern) *Match {
	return m.add("last user message", p.desc, func(r *Request) (bool, string) {
		if r.Chat == nil {
			return false, "no messages"
		}
		got := r.Chat.LastUserMessage()
		return p.match(got), strconv.Quote(clip(got))
	})
}

// System requires some system or developer message to match p.
func (m *Match) System(p Pattern) *Match {
	return m.messages("system message", p, func(msg *oaicompat.Message) bool { return msg.SystemRole() == oaicompat.RoleSystem })
}

// AnyMessage requires some message, of any role, to match p.
func (m *Match) AnyMessage(p Pattern) *Match {
	return m.messages("any message", p, func(*oaicompat.Message) bool { return true })
}

func (m *Match) messages(what string, p Pattern, keep func(*oaicompat.Message) bool) *Match {
	return m.add(what, p.desc, func(r *Request) (bool, string) {
		if r.Chat == nil {
			return false, "no messages"
		}
		var seen []string
		for i := range r.Chat.Messages {
			msg := &r.Chat.Messages[i]
			if !keep(msg) {
				continue
			}
			text := msg.Content.Text()
			if p.match(text) {
				return true, ""
			}
			seen = append(seen, strconv.Quote(clip(text)))
		}
		if seen == nil {
			return false, "none"
		}
		return false, strings.Join(seen, ", ")
	})
}

// HasTool requires the request to offer a tool (function) named name.
func (m *Match) HasTool(name string) *Match {
	return m.add("tools", "include "+strconv.Quote(name), func(r *Request) (bool, string) {
		names := r.toolNames()
		for _, n := range names {
			if n == name {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%q", names)
	})
}

// ToolResult requires the conversation to carry a tool message answering
// the call with id idOrName, or a call of the function named idOrName.
func (m *Match) ToolResult(idOrName string) *Match {
	return m.add("tool result", "for "+strconv.Quote(idOrName), func(r *Request) (bool, string) {
		results := r.toolResults()
		var seen []string
		for _, tr := range results {
			if tr.CallID == idOrName || tr.Name == idOrName {
				return true, ""
			}
			seen = append(seen, tr.Name+"/"+tr.CallID)
		}
		if seen == nil {
			return false, "none"
		}
		return false, strings.Join(seen, ", ")
	})
}

// Turn requires the request to be turn n of a conversation, counting from
// 0: the number of assistant messages in its history.
func (m *Match) Turn(n int) *Match {
	return m.add("turn", strconv.Itoa(n), func(r *Request) (bool, string) {
		got := r.Turn()
		return got == n, strconv.Itoa(got)
	})
}

// Header requires request header key to match p. It sees the header as
// sent (credentials are redacted only in the journal and in messages).
func (m *Match) Header(key string, p Pattern) *Match {
	key = http.CanonicalHeaderKey(key)
	return m.add("header "+key, p.desc, func(r *Request) (bool, string) {
		got := r.rawHeader.Get(key)
		if got != r.Header.Get(key) {
			return p.match(got), strconv.Quote(r.Header.Get(key))
		}
		return p.match(got), strconv.Quote(got)
	})
}

// Where adds any predicate; desc names it in near-miss messages.
func (m *Match) Where(desc string, f func(r *Request) bool) *Match {
	return m.add(desc, "true", func(r *Request) (bool, string) { return f(r), "false" })
}

// String describes the match, e.g. `endpoint "chat.completions", model "gpt-4o"`.
func (m *Match) String() string {
	if m == nil || len(m.conds) == 0 {
		return "any request"
	}
	parts := make([]string, len(m.conds))
	for i, c := range m.conds {
		parts[i] = c.what + " " + c.want
	}
	return strings.Join(parts, ", ")
}

// explain checks r against every condition and returns the failed ones as
// "what: want W, got G", with a distance for ranking near misses: 2 per
// failed condition, 3 for a wrong endpoint.
func (m *Match) explain(r *Request) (diffs []string, distance int) {
	if m == nil {
		return nil, 0
	}
	for _, c := range m.conds {
		if ok, got := c.check(r); !ok {
			diffs = append(diffs, fmt.Sprintf("%s: want %s, got %s", c.what, c.want, got))
			distance += 2
			if c.what == "endpoint" {
				distance++
			}
		}
	}
	return diffs, distance
}

// clip shortens long texts in messages.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
