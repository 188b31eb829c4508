// Package relaytest holds test helpers for code built on package relay:
// the contract every relay.Health implementation must follow.
package relaytest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat/relay"
)

// HealthContract checks that a [relay.Health] implementation follows
// [relay.CooldownPolicy]: the minimum sample, the failure rate, trips that
// double up to the cap, deadlines that never shrink, Retry-After and dead
// keys, one half-open probe, and what closes or re-trips it. newHealth
// returns an empty Health applying the policy it is given; each scenario
// uses its own target names (contract-0, contract-1, ...).
func HealthContract(t *testing.T, newHealth func(relay.CooldownPolicy) relay.Health) {
	policy := relay.CooldownPolicy{Window: time.Minute, MinRequests: 4, FailureRate: 0.5, Base: 10 * time.Second, Max: 35 * time.Second, ProbeTimeout: 5 * time.Second}
	t0 := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	type step struct {
		at      float64 // seconds after t0
		report  *relay.Outcome
		want    string // for an acquire: "ok", "probe", or "wait <seconds>"
		comment string
	}
	fail, ok := &relay.Outcome{Kind: relay.Failure}, &relay.Outcome{Kind: relay.Success}
	probeOK, probeFail := &relay.Outcome{Kind: relay.Success, Probe: true}, &relay.Outcome{Kind: relay.Failure, Probe: true}
	limited := func(d time.Duration) *relay.Outcome { return &relay.Outcome{Kind: relay.RateLimited, RetryAfter: d} }
	scenarios := []struct {
		name  string
		steps []step
	}{
		{"minimum sample", []step{
			{at: 0, report: fail}, {at: 1, report: fail}, {at: 2, report: fail},
			{at: 3, want: "ok", comment: "3 failures are below the sample of 4"},
			{at: 4, report: fail},
			{at: 4, want: "wait 14", comment: "the 4th failure trips for Base"},
		}},
		{"failure rate", []step{
			{at: 0, report: ok}, {at: 0, report: ok}, {at: 0, report: ok}, {at: 0, report: fail},
			{at: 1, want: "ok", comment: "1 of 4 is below the rate"},
			{at: 1, report: fail}, {at: 1, report: ok}, {at: 1, report: fail},
			{at: 1, want: "ok", comment: "3 of 7"},
			{at: 2, report: fail},
			{at: 2, want: "wait 12", comment: "4 of 8 trips"},
		}},
		{"window", []step{
			{at: 0, report: fail}, {at: 1, report: fail}, {at: 2, report: fail},
			{at: 61, report: fail},
			{at: 61, want: "ok", comment: "the old failures left the window"},
		}},
		{"probe closes", []step{
			{at: 0, report: fail}, {at: 0, report: fail}, {at: 0, report: fail}, {at: 0, report: fail},
			{at: 9, want: "wait 10"},
			{at: 10, want: "probe", comment: "the cooldown is over: one probe"},
			{at: 11, want: "wait 15", comment: "the probe holds the target"},
			{at: 12, report: probeOK},
			{at: 12, want: "ok"}, {at: 12, want: "ok", comment: "closed for everyone"},
			{at: 13, report: fail}, {at: 13, report: fail}, {at: 13, report: fail},
			{at: 13, want: "ok", comment: "the counters were reset"},
		}},
		{"probe fails: doubled, capped", []step{
			{at: 0, report: fail}, {at: 0, report: fail}, {at: 0, report: fail}, {at: 0, report: fail},
			{at: 10, want: "probe"},
			{at: 10, report: probeFail},
			{at: 10, want: "wait 30", comment: "second trip: 2 × Base"},
			{at: 30, want: "probe"},
			{at: 30, report: probeFail},
			{at: 30, want: "wait 65", comment: "third trip: 4 × Base = 40, capped at 35"},
		}},
		{"abandoned probe", []step{
			{at: 0, report: fail}, {at: 0, report: fail}, {at: 0, report: fail}, {at: 0, report: fail},
			{at: 10, want: "probe"},
			{at: 10, report: &relay.Outcome{Kind: relay.Abandoned, Probe: true}},
			{at: 10, want: "probe", comment: "released for the next caller"},
		}},
		{"probe timeout", []step{
			{at: 0, report: fail}, {at: 0, report: fail}, {at: 0, report: fail}, {at: 0, report: fail},
			{at: 10, want: "probe"},
			{at: 15, want: "probe", comment: "the first probe never reported"},
		}},
		{"rate limited", []step{
			{at: 0, report: limited(3 * time.Second)},
			{at: 2, want: "wait 3"},
			{at: 3, want: "probe"},
		}},
		{"rate limited without a hint: Base", []step{
			{at: 0, report: limited(0)},
			{at: 0, want: "wait 10"},
		}},
		{"rate limited: capped", []step{
			{at: 0, report: limited(time.Hour)},
			{at: 0, want: "wait 35"},
		}},
		{"deadline only grows", []step{
			{at: 0, report: limited(20 * time.Second)},
			{at: 1, report: limited(time.Second)},
			{at: 2, want: "wait 20", comment: "the shorter hint does not shorten it"},
			{at: 3, report: fail}, {at: 3, report: fail}, {at: 3, report: fail}, {at: 3, report: fail},
			{at: 4, want: "wait 20", comment: "failures during a cooldown do not count"},
		}},
		{"dead", []step{
			{at: 0, report: &relay.Outcome{Kind: relay.Dead}},
			{at: 34, want: "wait 35"},
			{at: 35, want: "probe"},
		}},
		{"successes alone", []step{
			{at: 0, report: ok}, {at: 0, report: ok},
			{at: 0, want: "ok"},
		}},
	}
	for i, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			h := newHealth(policy)
			target := fmt.Sprintf("contract-%d", i)
			ctx := context.Background()
			for j, s := range sc.steps {
				now := at(s.at)
				if s.report != nil {
					if err := h.Report(ctx, target, now, *s.report); err != nil {
						t.Fatalf("step %d: report: %v", j, err)
					}
					continue
				}
				a, err := h.Acquire(ctx, target, now)
				if err != nil {
					t.Fatalf("step %d: acquire: %v", j, err)
				}
				got := "ok"
				switch {
				case a.Probe:
					got = "probe"
				case !a.OK:
					got = fmt.Sprintf("wait %g", a.Until.Sub(t0).Seconds())
				}
				if got != s.want {
					t.Errorf("step %d at %gs: %s, want %s (%s)", j, s.at, got, s.want, s.comment)
				}
			}
		})
	}
}
