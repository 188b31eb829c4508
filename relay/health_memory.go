package relay

import (
	"context"
	"sync"
	"time"
)

// MemoryHealth is the in-process [Health]: one small record per target
// behind a mutex. Its size is bounded by the configuration (upstreams ×
// keys). It is the default of every [Relay], and the local state a relay
// falls back to while a shared Health is unreachable.
type MemoryHealth struct {
	policy CooldownPolicy
	mu     sync.Mutex
	state  map[string]*targetState
}

// targetState is the cooldown record of one target. The Redis
// implementation keeps the same fields in a hash.
type targetState struct {
	until       time.Time // end of the cooldown; zero when closed
	trips       int       // consecutive trips since the target last closed
	windowStart time.Time
	requests    int
	failures    int
	probeUntil  time.Time // a half-open probe holds the target until then
	cause       OutcomeKind
}

// NewMemoryHealth returns an empty MemoryHealth applying policy; its zero
// fields take the defaults of [DefaultCooldownPolicy].
func NewMemoryHealth(policy CooldownPolicy) *MemoryHealth {
	return &MemoryHealth{policy: policy.WithDefaults(), state: map[string]*targetState{}}
}

// Policy returns the policy m applies.
func (m *MemoryHealth) Policy() CooldownPolicy { return m.policy }

// Acquire implements [Health].
func (m *MemoryHealth) Acquire(_ context.Context, target string, now time.Time) (Admission, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.state[target]
	if s == nil || s.until.IsZero() {
		return Admission{OK: true}, nil
	}
	if now.Before(s.until) {
		return Admission{Until: s.until, Cause: s.cause}, nil
	}
	if now.Before(s.probeUntil) {
		return Admission{Until: s.probeUntil, Cause: s.cause}, nil
	}
	s.probeUntil = now.Add(m.policy.ProbeTimeout)
	return Admission{OK: true, Probe: true}, nil
}

// Report implements [Health].
func (m *MemoryHealth) Report(_ context.Context, target string, now time.Time, o Outcome) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.state[target]
	if s == nil {
		if o.Kind == Abandoned {
			return nil
		}
		s = &targetState{windowStart: now}
		m.state[target] = s
	}
	p := m.policy
	switch o.Kind {
	case Abandoned:
		if o.Probe {
			s.probeUntil = time.Time{}
		}
	case Success:
		if o.Probe {
			*s = targetState{windowStart: now}
			return nil
		}
		if s.until.IsZero() {
			s.count(now, p.Window, false)
		}
	case Failure:
		switch {
		case o.Probe:
			s.trip(now, p)
		case s.until.IsZero():
			if s.count(now, p.Window, true) >= p.MinRequests && float64(s.failures) >= p.FailureRate*float64(s.requests) {
				s.trip(now, p)
			}
		}
	case RateLimited, Dead:
		s.extend(now.Add(p.Cooldown(o)), o.Kind)
		s.probeUntil = time.Time{}
	}
	return nil
}

// count adds an attempt to the current window, starting a new window when
// the current one is over, and returns the attempts in the window.
func (s *targetState) count(now time.Time, window time.Duration, failed bool) int {
	if now.Sub(s.windowStart) >= window {
		s.windowStart, s.requests, s.failures = now, 0, 0
	}
	s.requests++
	if failed {
		s.failures++
	}
	return s.requests
}

// trip starts a cooldown of the target's next trip length.
func (s *targetState) trip(now time.Time, p CooldownPolicy) {
	s.extend(now.Add(p.TripCooldown(s.trips)), Failure)
	s.trips++
	s.windowStart, s.requests, s.failures = now, 0, 0
	s.probeUntil = time.Time{}
}

// extend moves the cooldown deadline to until, never earlier; cause is
// the kind of outcome behind the later deadline.
func (s *targetState) extend(until time.Time, cause OutcomeKind) {
	if until.After(s.until) {
		s.until, s.cause = until, cause
	}
}
