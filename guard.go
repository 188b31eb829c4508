package oaicompat

import (
	"context"
	"fmt"
	"sync"
)

// The output guard is a sink decorator between the [ChatWriter] and the sink
// that shapes the wire (collector or chunk streamer). It enforces what the
// request asked for (see outputRules): the response_format's JSON, strict
// tools' arguments, tool_choice and parallel_tool_calls. A choice that
// breaks a rule becomes a [Violation]; unless the repair hook fixes it, the
// response is the 500 model_error of Violation.asError, never the output.
//
// What reaches the client and when:
//
//   - stream:false: nothing is sent before the whole answer is checked.
//   - stream:true, buffered (the default): the parts of a choice that a rule
//     judges only once complete are held back and released when they pass:
//     content under a json_object or json_schema format (or while
//     tool_choice still demands a call) until the choice finishes, a strict
//     tool's call until its arguments are complete. Free text and
//     non-strict calls stream as they come. A violation found before
//     anything was sent is an ordinary JSON error with status 500;
//     otherwise it is sent in-band (data: {"error":...} then [DONE]).
//   - stream:true with WithStreamCheckAtEnd: everything streams as it comes
//     and is checked as it goes; a violation ends the stream with the
//     in-band error (the invalid part was sent, but the client is told).
//
// A call that tool_choice or parallel_tool_calls forbids is caught when it
// starts, in every mode, before any of it is sent. A choice that finishes
// with "length" or "content_filter" is cut short by nature: its content and
// last arguments are not judged, and it need not have called a tool.
type guard struct {
	next    sink
	rules   outputRules
	hold    bool
	repair  RepairFunc
	ctx     context.Context
	req     *ChatRequest
	choices []guardChoice
	one     [1]guardChoice // choices, when n is 1

	mu      sync.Mutex
	failure error
}

// guardChoice is the guard's state for one choice.
type guardChoice struct {
	mu        sync.Mutex
	err       error
	content   []byte // the content so far, when a rule judges it
	refusal   bool
	calls     []guardCall
	validCall bool        // a call passed its start checks
	queue     []guardItem // held parts, in order (hold mode)
}

type guardCall struct {
	id, name string
	args     []byte // kept for strict tools, and while held
	strict   bool
	checked  bool // arguments complete and valid
	released bool // start sent on
}

// guardItem is a held part: content (call < 0) or the start of a call.
type guardItem struct {
	call     int
	content  []byte
	logprobs []TokenLogprob
}

// newGuard sets up g as the guard for req and returns it, or returns nil
// under [WithoutOutputChecks].
func (h *Handler) newGuard(ctx context.Context, g *guard, req *ChatRequest, stream bool) *guard {
	if h.cfg.noOutputChecks {
		return nil
	}
	hold := h.cfg.repair != nil
	if stream {
		hold = !h.cfg.streamCheckAtEnd
	}
	*g = guard{rules: newOutputRules(req), hold: hold, repair: h.cfg.repair, ctx: ctx, req: req}
	g.choices = oneOrMake(&g.one, req.Choices())
	return g
}

// wrap puts the guard in front of s; a nil guard returns s.
func (g *guard) wrap(s sink) sink {
	if g == nil {
		return s
	}
	g.next = s
	return g
}

// result returns the guard's violation, which wins over err (the backend
// may have ignored the error its write returned), else err.
func (g *guard) result(err error) error {
	if g == nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.failure != nil {
		return g.failure
	}
	return err
}

func (g *guard) usage(u Usage) { g.next.usage(u) }

func (g *guard) delta(choice int, d Delta) error {
	c := &g.choices[choice]
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	if err := g.step(c, choice, d); err != nil {
		c.err = err
		g.mu.Lock()
		if g.failure == nil {
			g.failure = err
		}
		g.mu.Unlock()
		return err
	}
	return nil
}

// step checks d, then sends it on (or holds it).
func (g *guard) step(c *guardChoice, choice int, d Delta) error {
	r := &g.rules
	if tc := d.ToolCall; tc != nil {
		if tc.Name != "" { // a new call: the previous one is complete
			if err := g.completeLast(c, choice); err != nil {
				return err
			}
			if v := r.checkCallStart(choice, tc.Index, tc.Name); v != nil {
				return g.violated(v, nil)
			}
			c.validCall = true
			c.calls = append(c.calls, guardCall{id: tc.ID, name: tc.Name, strict: r.isStrict(tc.Name)})
		}
		call := &c.calls[tc.Index]
		if call.strict && call.checked && tc.Arguments != "" {
			return g.violated(&Violation{Kind: ViolationArguments, Choice: choice, ToolCall: tc.Index, Name: call.name,
				Reason: fmt.Sprintf("the arguments of tool call %d ('%s') of choice %d go on after a later call started", tc.Index, call.name, choice)}, nil)
		}
		if call.strict || g.hold && !call.released {
			call.args = append(call.args, tc.Arguments...)
		}
	}
	if r.content != contentFree {
		c.content = append(c.content, d.Content...)
	}
	c.refusal = c.refusal || d.Refusal != ""
	if d.FinishReason != "" {
		if err := g.checkFinish(c, choice, d.FinishReason); err != nil {
			return err
		}
	}
	if !g.hold {
		return g.next.delta(choice, d)
	}
	return g.hold1(c, choice, d)
}

// completeLast checks the arguments of the choice's last call, now complete.
func (g *guard) completeLast(c *guardChoice, choice int) error {
	i := len(c.calls) - 1
	if i < 0 || c.calls[i].checked {
		return nil
	}
	call := &c.calls[i]
	if v := g.rules.checkArguments(choice, i, call.name, call.args); v != nil {
		err := g.violated(v, func(fixed string) *Violation {
			if v := g.rules.checkArguments(choice, i, call.name, []byte(fixed)); v != nil {
				return v
			}
			call.args = []byte(fixed)
			return nil
		})
		if err != nil {
			return err
		}
	}
	call.checked = true
	return nil
}

// checkFinish applies the rules that judge a whole choice.
func (g *guard) checkFinish(c *guardChoice, choice int, reason string) error {
	if reason == FinishLength || reason == FinishContentFilter {
		return nil // cut short: incomplete by nature
	}
	if err := g.completeLast(c, choice); err != nil {
		return err
	}
	if v := g.rules.checkDemand(choice, len(c.calls)); v != nil {
		return g.violated(v, nil)
	}
	if g.rules.content == contentFree || len(c.content) == 0 && (len(c.calls) > 0 || c.refusal) {
		return nil // a turn that calls tools or refuses need not carry JSON
	}
	if v := g.rules.checkContent(choice, c.content); v != nil {
		return g.violated(v, func(fixed string) *Violation {
			if v := g.rules.checkContent(choice, []byte(fixed)); v != nil {
				return v
			}
			c.replaceContent([]byte(fixed))
			return nil
		})
	}
	return nil
}

// violated gives the repair hook its chance and returns the error to
// answer, or nil when the hook fixed the output. recheck (nil when the
// violation cannot be repaired by replacing output) checks and applies a
// replacement.
func (g *guard) violated(v *Violation, recheck func(fixed string) *Violation) error {
	if g.repair == nil {
		return v.asError()
	}
	fixed, err := g.repair(g.ctx, g.req, v)
	if err != nil {
		return err
	}
	if fixed == "" || recheck == nil || !g.hold {
		return v.asError()
	}
	if v2 := recheck(fixed); v2 != nil {
		return v2.asError()
	}
	return nil
}

// hold1 queues the parts of d a rule still has to judge and sends the rest,
// in order.
func (g *guard) hold1(c *guardChoice, choice int, d Delta) error {
	if len(c.queue) == 0 && d.ToolCall == nil && d.FinishReason == "" && !g.holdsContent(c) {
		return g.next.delta(choice, d) // nothing held: straight through
	}
	if d.Reasoning != "" || d.ReasoningSignature != "" || len(d.Extra) > 0 {
		// Reasoning is not judged, and precedes the answer it leads to.
		if err := g.next.delta(choice, Delta{Reasoning: d.Reasoning, ReasoningSignature: d.ReasoningSignature, Extra: d.Extra}); err != nil {
			return err
		}
	}
	if d.Content != "" || len(d.Logprobs) > 0 {
		if n := len(c.queue); n > 0 && c.queue[n-1].call < 0 {
			it := &c.queue[n-1]
			it.content = append(it.content, d.Content...)
			it.logprobs = append(it.logprobs, d.Logprobs...)
		} else {
			c.queue = append(c.queue, guardItem{call: -1, content: []byte(d.Content), logprobs: d.Logprobs})
		}
	}
	if d.Refusal != "" {
		if err := g.next.delta(choice, Delta{Refusal: d.Refusal}); err != nil {
			return err
		}
	}
	if tc := d.ToolCall; tc != nil {
		switch call := &c.calls[tc.Index]; {
		case tc.Name != "":
			c.queue = append(c.queue, guardItem{call: tc.Index})
		case call.released && tc.Arguments != "":
			// A non-strict call already sent on streams its arguments.
			if err := g.next.delta(choice, Delta{ToolCall: &ToolCallDelta{Index: tc.Index, Arguments: tc.Arguments}}); err != nil {
				return err
			}
		}
	}
	if err := g.release(c, choice, d.FinishReason != ""); err != nil {
		return err
	}
	if d.FinishReason != "" {
		return g.next.delta(choice, Delta{FinishReason: d.FinishReason, StopSequence: d.StopSequence})
	}
	return nil
}

// holdsContent reports whether content of c must wait: a content rule
// judges it at the end, or tool_choice demands a call none has started.
func (g *guard) holdsContent(c *guardChoice) bool {
	return g.rules.content != contentFree || g.rules.demandsCall() && !c.validCall
}

// release sends the held parts at the head of the queue that passed their
// checks; all of them when the choice is finished (and so checked).
func (g *guard) release(c *guardChoice, choice int, all bool) error {
	for len(c.queue) > 0 {
		it := &c.queue[0]
		if it.call < 0 {
			if !all && g.holdsContent(c) {
				return nil
			}
			if err := g.next.delta(choice, Delta{Content: string(it.content), Logprobs: it.logprobs}); err != nil {
				return err
			}
		} else {
			call := &c.calls[it.call]
			if !all && call.strict && !call.checked {
				return nil
			}
			if err := g.next.delta(choice, Delta{ToolCall: &ToolCallDelta{Index: it.call, ID: call.id, Name: call.name}}); err != nil {
				return err
			}
			call.released = true
			if len(call.args) > 0 {
				if err := g.next.delta(choice, Delta{ToolCall: &ToolCallDelta{Index: it.call, Arguments: string(call.args)}}); err != nil {
					return err
				}
			}
		}
		c.queue = c.queue[1:]
	}
	return nil
}

// replaceContent puts repaired content in place of the held content.
func (c *guardChoice) replaceContent(fixed []byte) {
	c.content = fixed
	q, placed := c.queue[:0], false
	for _, it := range c.queue {
		if it.call >= 0 {
			q = append(q, it)
		} else if !placed {
			q = append(q, guardItem{call: -1, content: fixed})
			placed = true
		}
	}
	c.queue = q
}
