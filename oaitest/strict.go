package oaitest

import (
	"encoding/json"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/responses"
)

// checkStrict runs the checks the spec cannot express, which the real API
// applies: unknown fields, tool messages answering earlier tool calls,
// assistant tool calls all answered, and parallel_tool_calls only with
// tools. (Strict-schema rules are the shared validator's.) A violation fails the test and is answered
// with OpenAI's 400.
func (m *Mock) checkStrict(r *Request) error {
	if m.cfg.lenient {
		return nil
	}
	var e *oaicompat.Error
	if !m.cfg.allowUnknown {
		e = unknownFields(r)
	}
	if e == nil && r.Chat != nil {
		e = checkChat(r.Chat)
	}
	if e == nil {
		return nil
	}
	where := e.Param
	if where == "" {
		where = "request"
	}
	m.fail("oaitest: request #%d %s %s violates the API: %s: %s", r.Seq, r.Method, r.Path, where, e.Message)
	return e
}

func unknownFields(r *Request) *oaicompat.Error {
	var extra map[string]json.RawMessage
	switch {
	case r.Chat != nil:
		extra = r.Chat.Extra
	case r.Embedding != nil:
		extra = r.Embedding.Extra
	case r.Image != nil:
		extra = r.Image.Extra
	}
	if len(extra) == 0 {
		return nil
	}
	names := make([]string, 0, len(extra))
	for k := range extra {
		if r.API == "responses" && responsesFields[k] {
			continue // a Responses field chat has no field for
		}
		names = append(names, k)
	}
	if len(names) == 0 {
		return nil
	}
	sort.Strings(names)
	// OpenAI sends param null here; the message names the field.
	e := oaicompat.InvalidRequest("", "Unrecognized request argument supplied: %s", strings.Join(names, ", "))
	return e
}

// responsesFields are the fields of a Responses request: the translation
// carries those chat has no field for (store, previous_response_id,
// include, ...) in ChatRequest.Extra, and they are not unknown.
var responsesFields = func() map[string]bool {
	fields := map[string]bool{}
	t := reflect.TypeFor[responses.Request]()
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			fields[name] = true
		}
	}
	return fields
}()

func checkChat(req *oaicompat.ChatRequest) *oaicompat.Error {
	if e := checkToolMessages(req.Messages); e != nil {
		return e
	}
	if req.ParallelToolCalls != nil && len(req.Tools) == 0 {
		return oaicompat.InvalidRequest("parallel_tool_calls", "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed when 'tools' are specified.")
	}
	return nil
}

// checkToolMessages checks that every tool message answers a call of an
// earlier assistant message, and that every call is answered before the
// next message that is not a tool message, as the real API requires.
func checkToolMessages(msgs []oaicompat.Message) *oaicompat.Error {
	known := map[string]bool{}
	var order []string
	var pending []string // calls of the last assistant message not yet answered
	pendingAt := -1
	for i, msg := range msgs {
		p := "messages[" + strconv.Itoa(i) + "]"
		if msg.Role == oaicompat.RoleTool {
			if !known[msg.ToolCallID] {
				return oaicompat.InvalidRequest(p+".tool_call_id",
					"Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'; tool_call_id %q does not match any earlier tool call (known: [%s]).",
					msg.ToolCallID, strings.Join(order, " "))
			}
			pending = remove(pending, msg.ToolCallID)
			continue
		}
		if len(pending) > 0 {
			return oaicompat.InvalidRequest("messages["+strconv.Itoa(pendingAt)+"].role",
				"An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: %s",
				strings.Join(pending, ", "))
		}
		if msg.Role == oaicompat.RoleAssistant && len(msg.ToolCalls) > 0 {
			pending, pendingAt = nil, i
			for _, tc := range msg.ToolCalls {
				known[tc.ID] = true
				order = append(order, tc.ID)
				pending = append(pending, tc.ID)
			}
		}
	}
	return nil
}

func remove(xs []string, x string) []string {
	for i, y := range xs {
		if y == x {
			return append(xs[:i], xs[i+1:]...)
		}
	}
	return xs
}
