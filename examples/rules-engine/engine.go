package main

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/oaicompat/oaicompat"
)

// engine is a Backend with no model at all: rules read the user's request
// and it answers through its typed tools.
//
//   - "Convert 10 km to mi and where is order AB-1234?": when the client
//     offers the tools (and tool_choice allows), the engine calls them, in
//     parallel unless parallel_tool_calls is false; otherwise it runs them
//     itself and answers at once.
//   - Once the tool results come back (role "tool" messages), it answers
//     from them.
//   - Answers are an Answer as JSON when the request asks for a JSON
//     response_format, else a sentence.
//
// The handler checks everything it writes: a client asking for a schema
// other than Answer's gets an error, never JSON of the wrong shape.
type engine struct{}

var (
	conversionRE = regexp.MustCompile(`(?i)(-?\d+(?:\.\d+)?)\s*(km|mi|m|ft|kg|lb)\b\s+(?:to|in|into)\s+(km|mi|m|ft|kg|lb)\b`)
	orderRE      = regexp.MustCompile(`\b[A-Z]{2}-\d{4}\b`)
)

const help = "I convert lengths and masses (m, km, mi, ft, kg, lb) and look up orders (like AB-1234)."

// Chat implements oaicompat.Backend.
func (engine) Chat(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	if results, ok := toolResults(req); ok {
		return reply(req, w, results)
	}
	calls := parse(req.LastUserMessage())
	if offered(req) {
		calls = allowedCalls(req, calls)
		if len(calls) == 0 && demandsCall(req) {
			return oaicompat.InvalidRequest("tool_choice", "The rules engine found nothing to call a tool for in the last user message. %s", help)
		}
		for _, c := range calls {
			if err := w.WriteToolCall("", c.name, string(c.args)); err != nil {
				return err
			}
		}
		if len(calls) > 0 {
			return nil
		}
	}
	var a Answer
	for _, c := range calls {
		a.add(run(c))
	}
	return reply(req, w, a)
}

// toolCall is a call the rules decided on.
type toolCall struct {
	name string
	args json.RawMessage
}

// parse finds the conversions and order numbers in a request.
func parse(text string) []toolCall {
	var calls []toolCall
	for _, m := range conversionRE.FindAllStringSubmatch(text, -1) {
		v, _ := strconv.ParseFloat(m[1], 64)
		args, _ := json.Marshal(ConvertUnits{Value: v, From: strings.ToLower(m[2]), To: strings.ToLower(m[3])})
		calls = append(calls, toolCall{convertTool, args})
	}
	for _, id := range orderRE.FindAllString(text, -1) {
		args, _ := json.Marshal(OrderStatus{OrderID: id})
		calls = append(calls, toolCall{orderTool, args})
	}
	return calls
}

// offered reports whether the client offered the engine's tools and lets it
// call them.
func offered(req *oaicompat.ChatRequest) bool {
	if tc := req.ToolChoice; tc != nil && tc.Mode == oaicompat.ToolChoiceNone {
		return false
	}
	for _, t := range req.Tools {
		if t.Function != nil && (t.Function.Name == convertTool || t.Function.Name == orderTool) {
			return true
		}
	}
	return false
}

// allowedCalls keeps the calls tool_choice and parallel_tool_calls allow.
func allowedCalls(req *oaicompat.ChatRequest, calls []toolCall) []toolCall {
	if tc := req.ToolChoice; tc != nil && tc.Type == "function" {
		kept := calls[:0:0]
		for _, c := range calls {
			if c.name == tc.Name {
				kept = append(kept, c)
			}
		}
		calls = kept
	}
	if !req.AllowsParallelToolCalls() && len(calls) > 1 {
		calls = calls[:1]
	}
	return calls
}

func demandsCall(req *oaicompat.ChatRequest) bool {
	tc := req.ToolChoice
	return tc != nil && (tc.Mode == oaicompat.ToolChoiceRequired || tc.Type == "function")
}

// run executes a call on the engine's side.
func run(c toolCall) any {
	switch c.name {
	case convertTool:
		a, err := oaicompat.Decode[ConvertUnits](string(c.args))
		if err != nil {
			return err
		}
		conv, err := Convert(a)
		if err != nil {
			return err
		}
		return conv
	default:
		a, err := oaicompat.Decode[OrderStatus](string(c.args))
		if err != nil {
			return err
		}
		return LookupOrder(a)
	}
}

// toolResults reads the results of the engine's calls when the request
// ends with them: the tool messages after the last assistant message.
func toolResults(req *oaicompat.ChatRequest) (Answer, bool) {
	var a Answer
	msgs := req.Messages
	end := len(msgs)
	for end > 0 && msgs[end-1].Role == oaicompat.RoleTool {
		end--
	}
	if end == len(msgs) || end == 0 || msgs[end-1].Role != oaicompat.RoleAssistant {
		return a, false
	}
	names := map[string]string{}
	for _, tc := range msgs[end-1].ToolCalls {
		if tc.Function != nil {
			names[tc.ID] = tc.Function.Name
		}
	}
	for _, m := range msgs[end:] {
		content := m.Content.Text()
		switch names[m.ToolCallID] {
		case convertTool:
			conv, err := oaicompat.Decode[Conversion](content)
			a.add(result(conv, err, content))
		case orderTool:
			o, err := oaicompat.Decode[Order](content)
			a.add(result(o, err, content))
		}
	}
	return a, true
}

func result[T any](v T, err error, content string) any {
	if err != nil {
		return fmt.Errorf("tool said %q", content)
	}
	return v
}

// add puts a tool result into the answer.
func (a *Answer) add(r any) {
	switch r := r.(type) {
	case Conversion:
		a.Conversions = append(a.Conversions, r)
		a.say("%s %s is %s %s.", num(r.Value), r.From, num(r.Result), r.To)
	case Order:
		switch {
		case r.Status == "unknown":
			a.say("I know no order %s.", r.OrderID)
		case r.ETA != nil:
			a.say("Order %s is %s, expected on %s.", r.OrderID, r.Status, *r.ETA)
		default:
			a.say("Order %s is %s.", r.OrderID, r.Status)
		}
		a.Orders = append(a.Orders, r)
	case error:
		a.say("Sorry: %v.", r)
	}
}

func (a *Answer) say(format string, args ...any) {
	if a.Summary != "" {
		a.Summary += " "
	}
	a.Summary += fmt.Sprintf(format, args...)
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// reply writes the answer as JSON when the request asks for JSON, else as
// its summary.
func reply(req *oaicompat.ChatRequest, w *oaicompat.ChatWriter, a Answer) error {
	if a.Summary == "" {
		a.Summary = help
	}
	if rf := req.ResponseFormat; rf != nil && rf.Type != "text" {
		if a.Conversions == nil {
			a.Conversions = []Conversion{}
		}
		if a.Orders == nil {
			a.Orders = []Order{}
		}
		b, err := json.Marshal(a)
		if err != nil {
			return err
		}
		return w.WriteText(string(b))
	}
	return w.WriteText(a.Summary)
}
