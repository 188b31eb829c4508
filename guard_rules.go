package oaicompat

import (
	"fmt"

	gojson "github.com/goccy/go-json"
)

// outputRules is what a chat request demands of every choice of its answer;
// the output guard (guard.go) enforces it.
type outputRules struct {
	content     contentRule
	formatName  string          // response_format json_schema name
	schema      *compiledSchema // strict json_schema (contentSchema)
	tools       []offeredTool   // a slice, not a map: requests offer a few tools, and it costs no allocation beyond itself
	allowed     map[string]bool // allowed_tools restriction; nil allows all
	mode        string          // "none", "auto" or "required"
	forced      string          // the function tool_choice forces, or ""
	singleCall  bool            // parallel_tool_calls: false
	offeredNone bool            // no tools at all
}

type contentRule uint8

const (
	contentFree   contentRule = iota // text
	contentJSON                      // json_schema without strict: any JSON
	contentObject                    // json_object: a JSON object
	contentSchema                    // strict json_schema: valid against schema
)

// newOutputRules reads the rules from a validated request. The schemas were
// compiled (and cached) by Validate.
func newOutputRules(r *ChatRequest) outputRules {
	o := outputRules{singleCall: !r.AllowsParallelToolCalls()}
	if n := len(r.Tools) + len(r.Functions); n > 0 {
		o.tools = make([]offeredTool, 0, n)
	}
	if rf := r.ResponseFormat; rf != nil {
		switch rf.Type {
		case "json_object":
			o.content = contentObject
		case "json_schema":
			o.content = contentJSON
			if js := rf.JSONSchema; js != nil {
				o.formatName = js.Name
				if isTrue(js.Strict) && hasSchema(js.Schema) {
					o.content, o.schema = contentSchema, compileSchema(js.Schema, nil)
				}
			}
		}
	}
	offer := func(name string, params []byte, strict *bool) {
		t := o.offer(name)
		t.schema = nil
		if isTrue(strict) {
			t.strict = true
			if hasSchema(params) {
				t.schema = compileSchema(params, nil)
			}
		}
	}
	for _, t := range r.Tools {
		switch {
		case t.Function != nil:
			offer(t.Function.Name, t.Function.Parameters, t.Function.Strict)
		case t.Custom != nil:
			o.offer(t.Custom.Name).schema = nil
		}
	}
	for _, f := range r.Functions {
		offer(f.Name, f.Parameters, f.Strict)
	}
	o.offeredNone = len(o.tools) == 0
	tc := r.ToolChoice
	if tc == nil {
		tc = r.FunctionCall
	}
	switch {
	case tc == nil && o.offeredNone:
		o.mode = ToolChoiceNone
	case tc == nil:
		o.mode = ToolChoiceAuto
	case tc.Type == "":
		o.mode = tc.Mode
	case tc.Type == "allowed_tools" && tc.AllowedTools != nil:
		o.mode = tc.AllowedTools.Mode
		o.allowed = map[string]bool{}
		for _, raw := range tc.AllowedTools.Tools {
			var ref toolChoiceWire
			if gojson.Unmarshal(raw, &ref) == nil {
				switch {
				case ref.Function != nil:
					o.allowed[ref.Function.Name] = true
				case ref.Custom != nil:
					o.allowed[ref.Custom.Name] = true
				default:
					o.allowed[ref.Name] = true
				}
			}
		}
	default:
		o.mode, o.forced = ToolChoiceRequired, tc.Name
	}
	return o
}

// offeredTool is a tool the request offered: the compiled parameters of a
// strict function (nil otherwise), and whether one of the functions of that
// name was strict.
type offeredTool struct {
	name   string
	schema *compiledSchema
	strict bool
}

// offer returns the entry of the tool named name, added if new (a name
// offered twice keeps one entry, the last schema and any strictness).
func (o *outputRules) offer(name string) *offeredTool {
	if t := o.tool(name); t != nil {
		return t
	}
	o.tools = append(o.tools, offeredTool{name: name})
	return &o.tools[len(o.tools)-1]
}

// tool returns the offered tool named name, or nil.
func (o *outputRules) tool(name string) *offeredTool {
	for i := range o.tools {
		if o.tools[i].name == name {
			return &o.tools[i]
		}
	}
	return nil
}

// isStrict reports whether a strict function named name was offered.
func (o *outputRules) isStrict(name string) bool {
	t := o.tool(name)
	return t != nil && t.strict
}

// demandsCall reports whether every choice must call a tool.
func (o *outputRules) demandsCall() bool { return o.mode == ToolChoiceRequired }

// checkCallStart checks call index (named name) of choice when it starts.
func (o *outputRules) checkCallStart(choice, index int, name string) *Violation {
	v := &Violation{Kind: ViolationToolChoice, Choice: choice, ToolCall: index, Name: name}
	offered := o.tool(name) != nil
	switch {
	case o.mode == ToolChoiceNone && o.offeredNone:
		v.Reason = fmt.Sprintf("choice %d calls '%s' but the request offered no tools", choice, name)
	case o.mode == ToolChoiceNone:
		v.Reason = fmt.Sprintf("choice %d calls '%s' but tool_choice is 'none'", choice, name)
	case !offered:
		v.Reason = fmt.Sprintf("choice %d calls '%s', which is not one of the offered tools", choice, name)
	case o.forced != "" && name != o.forced:
		v.Reason = fmt.Sprintf("choice %d calls '%s' but tool_choice forces '%s'", choice, name, o.forced)
	case o.allowed != nil && !o.allowed[name]:
		v.Reason = fmt.Sprintf("choice %d calls '%s', which tool_choice.allowed_tools does not allow", choice, name)
	case o.singleCall && index > 0:
		v.Kind = ViolationParallelCalls
		v.Reason = fmt.Sprintf("choice %d makes more than one tool call but parallel_tool_calls is false", choice)
	default:
		return nil
	}
	return v
}

// checkArguments checks the complete arguments of a call to a strict tool.
func (o *outputRules) checkArguments(choice, index int, name string, args []byte) *Violation {
	t := o.tool(name)
	if t == nil || !t.strict {
		return nil
	}
	if err := t.schema.validate(args); err != nil {
		return &Violation{Kind: ViolationArguments, Choice: choice, ToolCall: index, Name: name, Output: string(args),
			Reason: fmt.Sprintf("the arguments of tool call %d ('%s') of choice %d do not match its parameters: %v", index, name, choice, err)}
	}
	return nil
}

// checkDemand checks, when a choice ends, that it called a tool if it had to.
func (o *outputRules) checkDemand(choice, calls int) *Violation {
	if calls > 0 || !o.demandsCall() {
		return nil
	}
	v := &Violation{Kind: ViolationToolChoice, Choice: choice, ToolCall: -1}
	if o.forced != "" {
		v.Reason = fmt.Sprintf("choice %d calls no tool but tool_choice forces '%s'", choice, o.forced)
	} else {
		v.Reason = fmt.Sprintf("choice %d calls no tool but tool_choice is 'required'", choice)
	}
	return v
}

// checkContent checks the complete content of a choice.
func (o *outputRules) checkContent(choice int, content []byte) *Violation {
	if o.content == contentFree {
		return nil
	}
	v, err := decodeInstance(content)
	switch {
	case err != nil:
		err = fmt.Errorf("is %w", err)
	case o.content == contentObject:
		if _, isObj := v.(map[string]any); !isObj {
			err = fmt.Errorf("is %s, not the JSON object response_format json_object requires", instanceKind(v))
		}
	case o.content == contentSchema:
		if err = o.schema.validateValue(v); err != nil {
			err = fmt.Errorf("does not match the json_schema '%s': %w", o.formatName, err)
		}
	}
	if err == nil {
		return nil
	}
	return &Violation{Kind: ViolationContent, Choice: choice, ToolCall: -1, Output: string(content),
		Reason: fmt.Sprintf("the content of choice %d %v", choice, err)}
}

// instanceKind names the JSON type of a decoded value: "an array", ...
func instanceKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "a number"
}
