// Package storetest checks that a [middleware.Store] answers as
// [middleware.MemoryStore] does, to the microsecond: GCRA refill, all or
// nothing across buckets, refunds and debt, fractional intervals, and no
// overspending under concurrent takes. Store implementations run it from
// their tests:
//
//	func TestMyStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) middleware.Store { return newMyStore(t) })
//	}
package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat/middleware"
)

// storeStep is one call in a store scenario: a Take (charges) or an Adjust
// (adjust), at an offset from the scenario's start.
type storeStep struct {
	at      time.Duration
	key     string
	charges []middleware.Charge
	adjust  *middleware.Charge
	wantOK  bool
	want    []middleware.Bucket
}

func rpm(n int64, cost int64) middleware.Charge {
	return middleware.Charge{Name: "requests", Limit: n, Window: time.Minute, Cost: cost}
}

func tpm(limit, cost int64) middleware.Charge {
	return middleware.Charge{Name: "tokens", Limit: limit, Window: time.Minute, Cost: cost}
}

func bucket(rem int64, reset, retry time.Duration) middleware.Bucket {
	return middleware.Bucket{Remaining: rem, Reset: reset, RetryAfter: retry}
}

// storeScenarios are run against every Store: MemoryStore and the Redis
// store of module redisstore must agree to the microsecond.
var storeScenarios = []struct {
	name  string
	steps []storeStep
}{
	{"one request of 60 per minute", []storeStep{
		{key: "a", charges: []middleware.Charge{rpm(60, 1)}, wantOK: true, want: []middleware.Bucket{bucket(59, time.Second, 0)}},
	}},
	{"burst to empty, refusal, refill", []storeStep{
		{key: "a", charges: []middleware.Charge{rpm(60, 60)}, wantOK: true, want: []middleware.Bucket{bucket(0, time.Minute, 0)}},
		{key: "a", charges: []middleware.Charge{rpm(60, 1)}, wantOK: false, want: []middleware.Bucket{bucket(0, time.Minute, time.Second)}},
		{at: 500 * time.Millisecond, key: "a", charges: []middleware.Charge{rpm(60, 1)}, wantOK: false,
			want: []middleware.Bucket{bucket(0, 59500*time.Millisecond, 500*time.Millisecond)}},
		{at: time.Second, key: "a", charges: []middleware.Charge{rpm(60, 1)}, wantOK: true, want: []middleware.Bucket{bucket(0, time.Minute, 0)}},
		{at: 31 * time.Second, key: "a", charges: []middleware.Charge{rpm(60, 1)}, wantOK: true, want: []middleware.Bucket{bucket(29, 31*time.Second, 0)}},
	}},
	{"keys and buckets are independent", []storeStep{
		{key: "a", charges: []middleware.Charge{rpm(60, 60)}, wantOK: true, want: []middleware.Bucket{bucket(0, time.Minute, 0)}},
		{key: "b", charges: []middleware.Charge{rpm(60, 1)}, wantOK: true, want: []middleware.Bucket{bucket(59, time.Second, 0)}},
		{key: "a", charges: []middleware.Charge{tpm(1000, 100)}, wantOK: true, want: []middleware.Bucket{bucket(900, 6*time.Second, 0)}},
	}},
	{"all or nothing", []storeStep{
		{key: "a", charges: []middleware.Charge{rpm(60, 1), tpm(1000, 900)}, wantOK: true,
			want: []middleware.Bucket{bucket(59, time.Second, 0), bucket(100, 54*time.Second, 0)}},
		// tokens refuse, so the request is not charged either
		{key: "a", charges: []middleware.Charge{rpm(60, 1), tpm(1000, 200)}, wantOK: false,
			want: []middleware.Bucket{bucket(59, time.Second, 0), bucket(100, 54*time.Second, 6*time.Second)}},
		{key: "a", charges: []middleware.Charge{rpm(60, 1), tpm(1000, 100)}, wantOK: true,
			want: []middleware.Bucket{bucket(58, 2*time.Second, 0), bucket(0, time.Minute, 0)}},
	}},
	{"adjust refunds and charges into debt", []storeStep{
		{key: "a", charges: []middleware.Charge{tpm(1000, 500)}, wantOK: true, want: []middleware.Bucket{bucket(500, 30*time.Second, 0)}},
		{key: "a", adjust: ptr(tpm(1000, -200)), want: []middleware.Bucket{bucket(700, 18*time.Second, 0)}},
		{key: "a", adjust: ptr(tpm(1000, 1300)), want: []middleware.Bucket{bucket(0, 96*time.Second, 0)}},
		// in debt, even a free request waits until the debt is paid
		{key: "a", charges: []middleware.Charge{tpm(1000, 0)}, wantOK: false, want: []middleware.Bucket{bucket(0, 96*time.Second, 36*time.Second)}},
		{at: 36 * time.Second, key: "a", charges: []middleware.Charge{tpm(1000, 0)}, wantOK: true, want: []middleware.Bucket{bucket(0, time.Minute, 0)}},
		// a refund larger than the use empties the bucket, no credit
		{at: 36 * time.Second, key: "a", adjust: ptr(tpm(1000, -5000)), want: []middleware.Bucket{bucket(1000, 0, 0)}},
		{at: 36 * time.Second, key: "a", adjust: ptr(tpm(1000, 1)), want: []middleware.Bucket{bucket(999, 60*time.Millisecond, 0)}},
	}},
	{"fractional intervals", []storeStep{
		// 7 per minute: one every 8.571428s
		{key: "a", charges: []middleware.Charge{{Name: "requests", Limit: 7, Window: time.Minute, Cost: 7}}, wantOK: true,
			want: []middleware.Bucket{bucket(0, time.Minute, 0)}},
		{at: 8571428 * time.Microsecond, key: "a", charges: []middleware.Charge{{Name: "requests", Limit: 7, Window: time.Minute, Cost: 1}}, wantOK: false,
			want: []middleware.Bucket{bucket(0, 51428572*time.Microsecond, time.Microsecond)}},
		{at: 8571429 * time.Microsecond, key: "a", charges: []middleware.Charge{{Name: "requests", Limit: 7, Window: time.Minute, Cost: 1}}, wantOK: true,
			want: []middleware.Bucket{bucket(0, time.Minute, 0)}},
	}},
}

func ptr[T any](v T) *T { return &v }

// Run runs the checks against stores made by newStore, a fresh empty one
// for each check.
func Run(t *testing.T, newStore func(t *testing.T) middleware.Store) {
	start := time.Unix(1_700_000_000, 123_000)
	for _, sc := range storeScenarios {
		t.Run(sc.name, func(t *testing.T) {
			s := newStore(t)
			ctx := context.Background()
			for i, st := range sc.steps {
				now := start.Add(st.at)
				if st.adjust != nil {
					b, err := s.Adjust(ctx, st.key, now, *st.adjust)
					if err != nil || b != st.want[0] {
						t.Fatalf("step %d: Adjust = %+v, %v; want %+v", i, b, err, st.want[0])
					}
					continue
				}
				ok, bs, err := s.Take(ctx, st.key, now, st.charges)
				if err != nil || ok != st.wantOK || fmt.Sprint(bs) != fmt.Sprint(st.want) {
					t.Fatalf("step %d: Take = %v %+v, %v; want %v %+v", i, ok, bs, err, st.wantOK, st.want)
				}
			}
		})
	}
	t.Run("concurrent takes never overspend", func(t *testing.T) {
		s := newStore(t)
		const limit, callers = 25, 60
		var granted atomic.Int64
		var wg sync.WaitGroup
		for range callers {
			wg.Go(func() {
				ok, _, err := s.Take(context.Background(), "shared", start, []middleware.Charge{{Name: "requests", Limit: limit, Window: time.Minute, Cost: 1}})
				if err != nil {
					t.Error(err)
				}
				if ok {
					granted.Add(1)
				}
			})
		}
		wg.Wait()
		if granted.Load() != limit {
			t.Fatalf("%d of %d concurrent requests granted, want exactly %d", granted.Load(), callers, limit)
		}
	})
}
