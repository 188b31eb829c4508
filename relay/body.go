package relay

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/internal/jsonx"
)

// Requests are forwarded as the client sent them: the relay splices the
// members it must change (model, stream_options) into the client's body and
// keeps every other byte, so unknown and vendor fields (top_k, min_p,
// chat_template_kwargs, ...) reach the upstream intact, in their order,
// with their number formatting. Only requests translated from another
// dialect (Responses, legacy completions), whose body is not a chat body,
// are encoded from the decoded request.

// member is a top-level member of a JSON object: its name (unescaped;
// usually a slice of the body) and the span of its value in the body.
type member struct {
	name       []byte
	start, end int // the value is body[start:end]
	keyStart   int // where the member (its key) begins
}

var errNotObject = errors.New("relay: request body is not a JSON object")

// members appends the top-level members of the JSON object body to ms and
// returns them with the offset of its closing brace. body must be valid
// JSON (the handler or encoding/json validated it). Callers pass a small
// array's slice, so that the common case allocates nothing.
func members(body []byte, ms []member) ([]member, int, error) {
	i := jsonx.SkipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil, 0, errNotObject
	}
	i = jsonx.SkipSpace(body, i+1)
	for {
		if i >= len(body) {
			return nil, 0, errNotObject
		}
		if body[i] == '}' {
			return ms, i, nil
		}
		if body[i] == ',' {
			i = jsonx.SkipSpace(body, i+1)
			continue
		}
		keyStart := i
		keyEnd, ok := jsonx.ScanString(body, i)
		if !ok {
			return nil, 0, errNotObject
		}
		name := body[keyStart+1 : keyEnd-1]
		if bytes.IndexByte(name, '\\') >= 0 {
			var s string
			if json.Unmarshal(body[keyStart:keyEnd], &s) != nil {
				return nil, 0, errNotObject
			}
			name = []byte(s)
		}
		i = jsonx.SkipSpace(body, keyEnd)
		if i >= len(body) || body[i] != ':' {
			return nil, 0, errNotObject
		}
		start := jsonx.SkipSpace(body, i+1)
		end, ok := jsonx.ScanValue(body, start, 1)
		if !ok {
			return nil, 0, errNotObject
		}
		ms = append(ms, member{name: name, start: start, end: end, keyStart: keyStart})
		i = jsonx.SkipSpace(body, end)
	}
}

// setMembers returns body with the value of every top-level member named in
// set replaced by set's value (a nil value removes the member), and the
// members set names that body lacks appended, in the order of names. Every
// other byte of body is kept.
func setMembers(body []byte, names []string, set map[string][]byte) ([]byte, error) {
	var arr [32]member
	ms, closing, err := members(body, arr[:0])
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(body)+64)
	seen := make(map[string]bool, len(names))
	pos, n := 0, 0 // n counts the members written
	for _, m := range ms {
		v, ok := set[string(m.name)]
		if !ok {
			n++
			continue
		}
		seen[string(m.name)] = true
		if v == nil { // remove the member and the comma that joins it
			out = append(out, body[pos:m.keyStart]...)
			pos = jsonx.SkipSpace(body, m.end)
			if pos < len(body) && body[pos] == ',' {
				pos = jsonx.SkipSpace(body, pos+1)
			} else if n > 0 {
				out = bytes.TrimRight(out, " \t\r\n")
				out = out[:len(out)-1] // the comma before the member
			}
			continue
		}
		n++
		out = append(out, body[pos:m.start]...)
		out = append(out, v...)
		pos = m.end
	}
	out = append(out, body[pos:closing]...)
	ws := len(out) - len(bytes.TrimRight(out, " \t\r\n")) // kept before the brace
	tail := append([]byte(nil), out[len(out)-ws:]...)
	out = out[:len(out)-ws]
	for _, name := range names {
		v := set[name]
		if seen[name] || v == nil {
			continue
		}
		if n > 0 {
			out = append(out, ',')
		}
		out = appendJSONString(out, name)
		out = append(out, ':')
		out = append(out, v...)
		n++
	}
	out = append(out, tail...)
	return append(out, body[closing:]...), nil
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte { return jsonx.AppendString(b, s) }

// memberValue returns the raw value of the top-level member name, or nil.
func memberValue(body []byte, name string) []byte {
	var arr [32]member
	ms, _, err := members(body, arr[:0])
	if err != nil {
		return nil
	}
	var v []byte
	for _, m := range ms {
		if string(m.name) == name {
			v = body[m.start:m.end] // the last one wins, as in encoding/json
		}
	}
	return v
}

// includeUsage returns the stream_options value old (nil when absent) with
// include_usage set to true, the rest of it kept.
func includeUsage(old []byte) []byte {
	if len(old) == 0 {
		return []byte(`{"include_usage":true}`)
	}
	var opts map[string]json.RawMessage
	if json.Unmarshal(old, &opts) != nil || opts == nil {
		return []byte(`{"include_usage":true}`)
	}
	opts["include_usage"] = json.RawMessage("true")
	b, _ := json.Marshal(opts) // raw values from a valid object re-encode
	return b
}

// chatBody returns the body to send upstream for req, with model as the
// model: the client's own body when it is a chat body, with model replaced
// and, for a stream, stream_options.include_usage set (the relay reports
// usage to the handler, which shows the client the usage chunk only when it
// asked); stream_options is removed from a request that does not stream
// (some upstreams reject it there). A request translated from another
// dialect (the Responses API, legacy completions) is encoded from its
// fields, plus the members of its Extra that its own dialect does not
// define either: vendor fields (top_k, ...) pass, Responses-only or
// completions-only fields (store, include, echo, suffix, ...) do not.
func chatBody(req *oaicompat.ChatRequest, model string) ([]byte, error) {
	body := []byte(req.Raw)
	if d := rawDialect(body); d != dialectChat {
		var err error
		if body, err = encodeChat(req, dialectFields[d]); err != nil {
			return nil, err
		}
	}
	set := map[string][]byte{"model": appendJSONString(nil, model), "stream_options": nil}
	if req.Stream {
		set["stream_options"] = includeUsage(memberValue(body, "stream_options"))
	}
	return setMembers(body, []string{"model", "stream_options"}, set)
}

// dialect is what kind of body a ChatRequest's Raw holds.
type dialect uint8

const (
	dialectNone dialect = iota
	dialectChat
	dialectCompletions
	dialectResponses
)

// rawDialect tells a chat body (it has messages) from the Responses body
// (input) or legacy completions body (prompt) a translated request carries.
func rawDialect(body []byte) dialect {
	var arr [32]member
	ms, _, err := members(body, arr[:0])
	if err != nil {
		return dialectNone
	}
	d := dialectResponses
	for _, m := range ms {
		switch string(m.name) {
		case "messages":
			return dialectChat
		case "prompt":
			d = dialectCompletions
		}
	}
	return d
}

// dialectFields are the request members the Responses API and legacy
// completions define (from the OpenAPI spec): a translated request's Extra
// holds those its translation had no chat field for, which a chat upstream
// must not see.
var dialectFields = map[dialect]map[string]bool{
	dialectCompletions: setOf("model", "prompt", "suffix", "max_tokens", "temperature", "top_p", "n", "stream",
		"stream_options", "logprobs", "echo", "stop", "presence_penalty", "frequency_penalty", "best_of", "logit_bias", "seed", "user"),
	dialectResponses: setOf("model", "input", "instructions", "previous_response_id", "tools", "tool_choice",
		"parallel_tool_calls", "max_tool_calls", "max_output_tokens", "temperature", "top_p", "top_logprobs", "text",
		"reasoning", "stream", "stream_options", "store", "background", "include", "truncation", "service_tier",
		"metadata", "user", "safety_identifier", "prompt_cache_key", "prompt_cache_retention", "prompt_cache_options",
		"moderation", "conversation", "prompt", "context_management"),
}

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// encodeChat encodes a request that has no chat body of its own, with the
// members of its Extra not in skip.
func encodeChat(req *oaicompat.ChatRequest, skip map[string]bool) ([]byte, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	var names []string
	set := map[string][]byte{}
	for k, v := range req.Extra {
		if !skip[k] {
			names = append(names, k)
			set[k] = v
		}
	}
	if len(names) == 0 {
		return b, nil
	}
	slices.Sort(names)
	return setMembers(b, names, set)
}
