package oaicompat

import (
	"sync"
	"time"
)

// tally keeps the account of one answer for its [CallInfo], the same way
// for every dialect, streamed or not: the usage the backend reported (or,
// when it reported none, an estimate from what was sent), how each choice
// finished, and when the first output went out.
//
// It sits in front of a dialect's sink (see tallied): the deltas it counts
// are the ones the sink accepted, so a client that hangs up is charged for
// what it was sent. A translated answer may run several chat calls in turn
// (one per prompt of a legacy request); each call's usage counts its
// prompt once (the largest report, when n>1 runs one call per choice) and
// all its completion tokens, and the calls add up.
type tally struct {
	mu             sync.Mutex
	call           usageSum // the running call's reports
	sum            Usage    // the finished calls'
	reported       bool
	sent           int // bytes of text, refusals, reasoning and arguments accepted by the sink
	promptEstimate int // set by the path: about a token per four bytes of the body
	reasons        []string
	oneReason      [1]string // reasons, when a request has one choice
	first          time.Time
	now            func() time.Time
	stream         bool // first output is the first delta (else the answer's end)
}

// grow sizes the finish reasons for n more choices.
func (t *tally) grow(n int) {
	t.mu.Lock()
	if t.reasons == nil && n == 1 {
		t.reasons = t.oneReason[:]
	} else {
		t.reasons = append(t.reasons, make([]string, n)...)
	}
	t.mu.Unlock()
}

// report adds a usage report of the running call.
func (t *tally) report(u Usage) {
	t.mu.Lock()
	t.call.add(u)
	t.reported = true
	t.mu.Unlock()
}

// nextCall closes the running call's usage.
func (t *tally) nextCall() {
	t.mu.Lock()
	t.fold()
	t.mu.Unlock()
}

func (t *tally) fold() {
	if t.call.set {
		u := t.call.usage()
		t.sum.PromptTokens += u.PromptTokens
		t.sum.CompletionTokens += u.CompletionTokens
		addDetails(&t.sum, &u)
	}
	t.call = usageSum{}
}

// delta counts a delta the sink accepted for choice i.
func (t *tally) delta(i int, d *Delta) {
	t.mu.Lock()
	t.sent += len(d.Content) + len(d.Refusal) + len(d.Reasoning)
	if d.ToolCall != nil {
		t.sent += len(d.ToolCall.Name) + len(d.ToolCall.Arguments)
	}
	if d.FinishReason != "" && i < len(t.reasons) {
		t.reasons[i] = d.FinishReason
	}
	if t.stream && t.first.IsZero() {
		t.first = t.now()
	}
	t.mu.Unlock()
}

// output records that output went out (a native dialect's first event, or
// a whole answer).
func (t *tally) output() {
	t.mu.Lock()
	if t.first.IsZero() {
		t.first = t.now()
	}
	t.mu.Unlock()
}

// total returns the answer's usage, and whether it is an estimate: the
// backend reported none but output was sent, so the prompt is estimated
// from the body and the completion from what was sent (about four bytes a
// token). An answer that reported nothing and sent nothing used nothing.
func (t *tally) total() (Usage, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.fold()
	u := t.sum
	estimated := !t.reported && t.sent > 0
	if estimated {
		u.PromptTokens, u.CompletionTokens = t.promptEstimate, (t.sent+3)/4
	}
	u.TotalTokens = u.PromptTokens + u.CompletionTokens
	return u, estimated
}

// reportedUsage returns the usage the backend reported, zeros when it
// reported none: what the wire carries.
func (t *tally) reportedUsage() Usage {
	t.mu.Lock()
	defer t.mu.Unlock()
	u := t.sum
	if t.call.set {
		c := t.call.usage()
		u.PromptTokens += c.PromptTokens
		u.CompletionTokens += c.CompletionTokens
		addDetails(&u, &c)
	}
	u.TotalTokens = u.PromptTokens + u.CompletionTokens
	return u
}

// tallied is the sink a [ChatWriter] writes to in a translated answer: it
// reports usage to the tally and passes deltas, renumbered from the call's
// choices to the answer's, to the dialect's sink, counting those it
// accepted.
type tallied struct {
	t    *tally
	next wireSink
	base int // the answer's index of the call's first choice
}

func (s *tallied) usage(u Usage) { s.t.report(u) }

func (s *tallied) delta(i int, d Delta) error {
	if err := s.next.delta(s.base+i, d); err != nil {
		return err
	}
	s.t.delta(s.base+i, &d)
	return nil
}

// usageSum adds the usage reported by the calls of one choice set:
// completion tokens add up, the prompt is counted once (the largest report).
type usageSum struct {
	u   Usage
	set bool
}

func (s *usageSum) add(u Usage) {
	s.set = true
	s.u.PromptTokens = max(s.u.PromptTokens, u.PromptTokens)
	s.u.CompletionTokens += u.CompletionTokens
	if u.PromptTokensDetails != nil {
		s.u.PromptTokensDetails = u.PromptTokensDetails
	}
	addCompletionDetails(&s.u, u.CompletionTokensDetails)
}

func (s *usageSum) usage() Usage {
	u := s.u
	u.TotalTokens = u.PromptTokens + u.CompletionTokens
	return u
}

// addDetails adds the token details of u to sum.
func addDetails(sum, u *Usage) {
	if d := u.PromptTokensDetails; d != nil {
		if sum.PromptTokensDetails == nil {
			sum.PromptTokensDetails = &PromptTokensDetails{}
		}
		sum.PromptTokensDetails.CachedTokens += d.CachedTokens
		sum.PromptTokensDetails.AudioTokens += d.AudioTokens
	}
	addCompletionDetails(sum, u.CompletionTokensDetails)
}

func addCompletionDetails(sum *Usage, d *CompletionTokensDetails) {
	if d == nil {
		return
	}
	if sum.CompletionTokensDetails == nil {
		sum.CompletionTokensDetails = &CompletionTokensDetails{}
	}
	s := sum.CompletionTokensDetails
	s.ReasoningTokens += d.ReasoningTokens
	s.AudioTokens += d.AudioTokens
	s.AcceptedPredictionTokens += d.AcceptedPredictionTokens
	s.RejectedPredictionTokens += d.RejectedPredictionTokens
}
