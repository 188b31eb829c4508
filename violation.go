package oaicompat

import (
	"context"
	"net/http"
)

// Violation describes output a [Backend] wrote that breaks what the request
// asked for: content that is not the JSON the response_format demands, a
// strict tool's arguments that do not match its parameters, a tool call
// that tool_choice forbids (or no call where it demands one), or more calls
// than parallel_tool_calls allows. The handler never sends such output as a
// success; see [WithOutputRepair] for a backend's last chance to fix it.
type Violation struct {
	// Kind is [ViolationContent], ViolationArguments, ViolationToolChoice or
	// ViolationParallelCalls.
	Kind string
	// Choice is the index of the choice at fault.
	Choice int
	// ToolCall is the index of the call at fault within its choice, or -1.
	ToolCall int
	// Name is the called tool's name, for tool-call violations.
	Name string
	// Output is the offending content or arguments, for [ViolationContent]
	// and ViolationArguments.
	Output string
	// Reason says what is wrong, e.g. "the arguments of tool call 0
	// ('convert') do not match its parameters: at '/unit': value must be
	// one of 'km', 'mi'".
	Reason string
}

// Violation kinds.
const (
	// ViolationContent: the content is not the JSON the response_format asks for.
	ViolationContent = "content"
	// ViolationArguments: a strict tool's arguments do not match its parameters.
	ViolationArguments = "arguments"
	// ViolationToolChoice: a call tool_choice forbids, of a tool not offered,
	// or no call where tool_choice demands one.
	ViolationToolChoice = "tool_choice"
	// ViolationParallelCalls: more than one call with parallel_tool_calls false.
	ViolationParallelCalls = "parallel_tool_calls"
)

func (v *Violation) Error() string { return "oaicompat: invalid output: " + v.Reason }

// asError is what the client sees for v unless a repair hook says
// otherwise: the 500 model_error OpenAI answers when its model produced
// invalid content, with the reason added. 500 because the output of a
// sampling model may well be valid on a retry, which the SDKs make for any
// status >= 500; a deterministic backend returns its own *[Error] from the
// repair hook (for example with Header "x-should-retry: false").
func (v *Violation) asError() *Error {
	return (&Error{Status: http.StatusInternalServerError, Type: TypeModelError, Message: "The model produced invalid content: " + v.Reason + ". Consider modifying your prompt if you are seeing this error persistently."}).
		WithCause(v)
}

// A [RepairFunc] is a [Backend]'s chance to fix a [Violation] before the handler
// answers with an error (see [WithOutputRepair]). For [ViolationContent] and
// ViolationArguments a non-empty return replaces the whole offending
// content or arguments and is checked again; it may come from asking the
// model again with v.Reason, or from a mechanical fix such as removing a
// Markdown code fence. For the other kinds, and for output already streamed
// to the client, the string is ignored. A non-nil error is answered instead
// of the default 500 model_error (an *[Error] reaches the client as is).
type RepairFunc func(ctx context.Context, req *ChatRequest, v *Violation) (string, error)
