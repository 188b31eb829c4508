package oaitest

import (
	"fmt"
	"strings"
)

// Rule is an expectation: requests that satisfy its Match get its replies,
// in order (the last one repeats). By default a rule expects exactly as many
// calls as it has replies (one for a single reply, or for Auto); Times,
// Once and AnyTimes change that. A rule that was called fewer times than it
// expects fails the test at cleanup; an exhausted rule no longer matches.
//
// Rules are tried in order (Mock.Add and Mock.On append, Mock.Prepend
// puts rules in front); the first that matches and can still answer
// does. Rule methods may be chained right after Mock.On.
type Rule struct {
	m        *Mock // nil until added
	name     string
	match    *Match
	replies  []*Reply
	min      int
	max      int // -1: unlimited
	timesSet bool
	calls    int
	after    *Rule // in a Script, the turn that must be done first
	seq      int
}

// Turn returns a rule for Mock.Script: once, on requests matching match
// (any chat request when match is nil), answering replies in order.
func Turn(match *Match, replies ...*Reply) *Rule {
	r := &Rule{match: match, min: 1, max: 1}
	r.setReplies(replies)
	return r
}

func (r *Rule) lock() func() {
	if r.m == nil {
		return func() {}
	}
	r.m.mu.Lock()
	return r.m.mu.Unlock
}

// Named names the rule in failure messages and in Request.Rule.
func (r *Rule) Named(name string) *Rule {
	defer r.lock()()
	r.name = name
	return r
}

// Reply sets the replies, used in order by successive calls; the last
// repeats when the rule allows more calls than it has replies.
func (r *Rule) Reply(replies ...*Reply) *Rule {
	defer r.lock()()
	r.setReplies(replies)
	return r
}

func (r *Rule) setReplies(replies []*Reply) {
	if len(replies) == 0 {
		replies = []*Reply{Auto()}
	}
	r.replies = replies
	if !r.timesSet {
		r.min, r.max = len(replies), len(replies)
	}
}

// Times expects exactly n calls.
func (r *Rule) Times(n int) *Rule {
	defer r.lock()()
	r.min, r.max, r.timesSet = n, n, true
	return r
}

// Once expects exactly one call.
func (r *Rule) Once() *Rule { return r.Times(1) }

// AnyTimes allows any number of calls, including none.
func (r *Rule) AnyTimes() *Rule {
	defer r.lock()()
	r.min, r.max, r.timesSet = 0, -1, true
	return r
}

// Calls returns how many requests the rule answered.
func (r *Rule) Calls() int {
	defer r.lock()()
	return r.calls
}

// Name returns the rule's name as Request.Rule records it: the one given
// to Named, else "#n" for the n-th rule added to its Mock.
func (r *Rule) Name() string {
	defer r.lock()()
	return r.label()
}

// Expected returns how many calls the rule expects: from least to most
// (most is -1 when there is no upper limit).
func (r *Rule) Expected() (least, most int) {
	defer r.lock()()
	return r.min, r.max
}

// Match returns the rule's Match.
func (r *Rule) Match() *Match { return r.match }

// String names the rule: its name, or its Match.
func (r *Rule) String() string {
	if r.name != "" {
		return fmt.Sprintf("%q", r.name)
	}
	return fmt.Sprintf("#%d (%s)", r.seq, r.match)
}

// label is the rule's name for Request.Rule.
func (r *Rule) label() string {
	if r.name != "" {
		return r.name
	}
	return fmt.Sprintf("#%d", r.seq)
}

// blocked explains why a rule whose Match holds cannot answer now, or "".
func (r *Rule) blocked() string {
	switch {
	case r.max >= 0 && r.calls >= r.max:
		return fmt.Sprintf("exhausted (%d of %d calls)", r.calls, r.max)
	case r.after != nil && r.after.calls < r.after.min:
		return fmt.Sprintf("waits for the script's previous turn %s", r.after)
	}
	return ""
}

// take records a call and returns its reply.
func (r *Rule) take() *Reply {
	rep := r.replies[min(r.calls, len(r.replies)-1)]
	r.calls++
	return rep
}

// unmet describes a rule that expected more calls, or "".
func (r *Rule) unmet() string {
	if r.calls >= r.min {
		return ""
	}
	return fmt.Sprintf("rule %s was called %d time(s), want %d", r, r.calls, r.min)
}

// nearMiss names the closest rule for an unmatched request and what
// differed; m.mu is held.
func nearMiss(rules []*Rule, req *Request) string {
	if len(rules) == 0 {
		return "no rules are registered"
	}
	var best *Rule
	var bestDiffs []string
	bestScore := 0
	for _, r := range rules {
		diffs, score := r.match.explain(req)
		if len(diffs) == 0 {
			if why := r.blocked(); why != "" {
				diffs, score = []string{why}, 1
			}
		}
		if best == nil || score < bestScore {
			best, bestDiffs, bestScore = r, diffs, score
		}
	}
	return fmt.Sprintf("closest rule %s: %s", best, strings.Join(bestDiffs, "; "))
}

// closestRequest names the journal entry closest to an unmet rule.
func closestRequest(r *Rule, journal []*Request) string {
	var best *Request
	var bestDiffs []string
	bestScore := 0
	for _, req := range journal {
		if req.Rule == r.label() {
			continue
		}
		diffs, score := r.match.explain(req)
		if best == nil || score < bestScore {
			best, bestDiffs, bestScore = req, diffs, score
		}
	}
	if best == nil {
		return "no other request was received"
	}
	if len(bestDiffs) == 0 {
		if best.Rule != "" {
			return fmt.Sprintf("request #%d matched but was answered by rule %q", best.Seq, best.Rule)
		}
		return fmt.Sprintf("request #%d matched but came when the rule could not answer", best.Seq)
	}
	return fmt.Sprintf("closest request #%d %s %s: %s", best.Seq, best.Method, best.Path, strings.Join(bestDiffs, "; "))
}
