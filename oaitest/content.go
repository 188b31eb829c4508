package oaitest

import (
	"encoding/json"

	"github.com/oaicompat/oaicompat"
)

// content is a chat reply resolved against its request: what the
// assistant says, refuses or calls.
type content struct {
	reasoning     string
	text, refusal string
	calls         []ToolCall
}

// autoText is the text of an Auto reply to a request that asks for
// nothing in particular.
const autoText = "This is a reply from the oaitest mock."

// resolve turns rep into content. Auto answers what the request asks for:
// a call of the forced tool (arguments generated from its parameters
// schema), a value valid against the json_schema response format, "{}"
// for json_object, else autoText.
func resolve(req *oaicompat.ChatRequest, rep *Reply) content {
	c := resolveAnswer(req, rep)
	c.reasoning = rep.reasoning
	return c
}

func resolveAnswer(req *oaicompat.ChatRequest, rep *Reply) content {
	if !rep.auto {
		return content{text: rep.text, refusal: rep.refusal, calls: rep.calls}
	}
	if fn := forcedTool(req); fn != nil {
		args, _ := json.Marshal(Generate(fn.Parameters))
		return content{calls: []ToolCall{{Name: fn.Name, Arguments: string(args)}}}
	}
	if rf := req.ResponseFormat; rf != nil {
		switch {
		case rf.Type == "json_schema" && rf.JSONSchema != nil:
			b, _ := json.Marshal(Generate(rf.JSONSchema.Schema))
			return content{text: string(b)}
		case rf.Type == "json_object":
			return content{text: "{}"}
		}
	}
	return content{text: autoText}
}

// forcedTool returns the function the request forces the model to call:
// tool_choice naming a function, or "required" (the first function), or
// the legacy function_call naming one.
func forcedTool(req *oaicompat.ChatRequest) *oaicompat.FunctionDefinition {
	find := func(name string) *oaicompat.FunctionDefinition {
		for _, t := range req.Tools {
			if t.Function != nil && (name == "" || t.Function.Name == name) {
				return t.Function
			}
		}
		for i := range req.Functions {
			if name == "" || req.Functions[i].Name == name {
				return &req.Functions[i]
			}
		}
		return nil
	}
	for _, tc := range []*oaicompat.ToolChoice{req.ToolChoice, req.FunctionCall} {
		switch {
		case tc == nil:
		case tc.Type == "function":
			return find(tc.Name)
		case tc.Mode == oaicompat.ToolChoiceRequired:
			return find("")
		}
	}
	return nil
}

// ops splits the content into token-sized writes for one choice:
// reasoning pieces, text pieces, refusal pieces, then each call's start and
// argument pieces.
func (c content) ops() []func(*oaicompat.ChatWriter) error {
	var ops []func(*oaicompat.ChatWriter) error
	for _, p := range pieces(c.reasoning) {
		ops = append(ops, func(w *oaicompat.ChatWriter) error { return w.WriteReasoning(p) })
	}
	for _, p := range pieces(c.text) {
		ops = append(ops, func(w *oaicompat.ChatWriter) error { return w.WriteText(p) })
	}
	for _, p := range pieces(c.refusal) {
		ops = append(ops, func(w *oaicompat.ChatWriter) error { return w.WriteRefusal(p) })
	}
	for _, call := range c.calls {
		index := new(int)
		ops = append(ops, func(w *oaicompat.ChatWriter) (err error) {
			*index, err = w.StartToolCall(call.ID, call.Name)
			return err
		})
		for _, p := range pieces(call.Arguments) {
			ops = append(ops, func(w *oaicompat.ChatWriter) error { return w.WriteToolCallArguments(*index, p) })
		}
	}
	return ops
}
