package relay

import (
	"context"
	"time"
)

// Health keeps the cooldown state of the relay's targets: an upstream (its
// Name) or one key of an upstream (the Name, "#", and a hash of the key;
// never the key itself). The relay asks it before each attempt and tells it
// how the attempt went; the rules of [CooldownPolicy] decide the rest.
// [NewMemoryHealth] keeps the state in the process; the Redis implementation
// in module github.com/oaicompat/oaicompat/redisstore shares it between
// replicas. Implementations must be safe for concurrent use.
type Health interface {
	// Acquire reports whether target may take a request at now. When the
	// target's cooldown has just ended it grants one caller the half-open
	// probe (Admission.Probe); that caller must Report with Probe set.
	Acquire(ctx context.Context, target string, now time.Time) (Admission, error)
	// Report records the outcome of an attempt on target.
	Report(ctx context.Context, target string, now time.Time, o Outcome) error
}

// Admission is the answer of [Health.Acquire].
type Admission struct {
	// OK is true when the target may be tried.
	OK bool
	// Probe is true when this attempt is the half-open probe.
	Probe bool
	// Until is, when OK is false, when the target may be tried again.
	Until time.Time
	// Cause is, when OK is false, the kind of outcome that started the
	// cooldown: Failure (a tripped failure rate), RateLimited or Dead.
	Cause OutcomeKind
}

// Outcome is how an attempt on a target went, for [Health.Report].
type Outcome struct {
	// Kind is what happened.
	Kind OutcomeKind
	// RetryAfter is the upstream's Retry-After hint of a RateLimited
	// outcome, 0 when it gave none.
	RetryAfter time.Duration
	// Probe is true when the attempt was the half-open probe.
	Probe bool
}

// OutcomeKind classifies an [Outcome].
type OutcomeKind uint8

// The kinds of [Outcome].
const (
	// Success: the target answered (a 4xx client error counts as an
	// answer). It closes a half-open target.
	Success OutcomeKind = iota
	// Failure: the target failed (connect error, 5xx, timeout, broken
	// stream); it counts toward the failure rate, and trips a probe.
	Failure
	// RateLimited: the target answered 429; it cools down for RetryAfter
	// (CooldownPolicy.Base without one), capped.
	RateLimited
	// Dead: the key was refused (401, 402, 403); it cools down for
	// CooldownPolicy.Max.
	Dead
	// Abandoned: the attempt ended without a verdict on the target (the
	// client left, or the failure was another target's); a probe is
	// released for someone else.
	Abandoned
)

// String returns the kind's name.
func (k OutcomeKind) String() string {
	switch k {
	case Success:
		return "success"
	case Failure:
		return "failure"
	case RateLimited:
		return "rate_limited"
	case Dead:
		return "dead"
	case Abandoned:
		return "abandoned"
	}
	return "unknown"
}

// Cooldown returns how long the outcome o cools its target down at once
// under p, before the failure-rate rule: the capped Retry-After of a
// RateLimited outcome (p.Base without a hint), p.Max for Dead, 0 otherwise.
// Health implementations share it.
func (p CooldownPolicy) Cooldown(o Outcome) time.Duration {
	p = p.WithDefaults()
	switch o.Kind {
	case RateLimited:
		d := o.RetryAfter
		if d <= 0 {
			d = p.Base
		}
		return min(d, p.Max)
	case Dead:
		return p.Max
	}
	return 0
}

// TripCooldown returns the cooldown of trip number trips (0 for the first)
// under p: Base doubled per earlier trip, capped at Max.
func (p CooldownPolicy) TripCooldown(trips int) time.Duration {
	p = p.WithDefaults()
	d := p.Base
	for i := 0; i < trips && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}
