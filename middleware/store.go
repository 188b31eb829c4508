package middleware

import (
	"context"
	"math"
	"time"
)

// A Store keeps the rate-limit state of every key for RateLimit.
// MemoryStore (one process) and redisstore.RateLimitStore (module
// github.com/oaicompat/oaicompat/redisstore, replicas sharing one limit)
// implement it; both must answer alike for the same calls (package
// storetest checks a Store).
//
// Each bucket is a generic cell rate algorithm (GCRA) bucket: Limit units
// per Window, refilled continuously, able to hold a whole Window's worth. Its
// whole state is one time, the "theoretical arrival time" at which it will be
// full again; a charge of n units moves it n·Window/Limit later, and is
// refused while that would put it more than one Window ahead of now. A Cost
// above Limit therefore never fits (RateLimit refuses such requests before
// asking the store).
type Store interface {
	// Take charges every bucket of key its Cost if all of them can pay, and
	// none otherwise; ok reports which. It returns each bucket's state after
	// the call, in the order of charges, with RetryAfter set on the buckets
	// that refused.
	Take(ctx context.Context, key string, now time.Time, charges []Charge) (ok bool, buckets []Bucket, err error)
	// Adjust adds c.Cost units (negative to refund) to a bucket of key
	// without checking its limit, so a bucket can go into debt: RateLimit
	// corrects its token estimate with the usage the backend reported.
	Adjust(ctx context.Context, key string, now time.Time, c Charge) (Bucket, error)
}

// Charge names one bucket of a key and what to take from it.
type Charge struct {
	Name   string        // the bucket, e.g. "requests" or "tokens"
	Limit  int64         // units per Window; must be > 0
	Window time.Duration // must be at least a microsecond
	Cost   int64         // units to take
}

// Bucket is a bucket's state as a Take or Adjust left it.
type Bucket struct {
	Remaining  int64         // units that could be taken now
	Reset      time.Duration // until the bucket is full again
	RetryAfter time.Duration // for a refused charge, until it would be accepted; else 0
}

// The GCRA arithmetic, in integer microseconds with a float64 interval. The
// Lua script of redisstore.RateLimitStore repeats it operation for operation, so the two
// stores agree to the microsecond; the explicit float64 conversions keep Go
// from fusing a multiply and an add, which Lua does not do.

// gcra is one bucket's parameters, in microseconds.
type gcra struct {
	window   int64   // µs
	interval float64 // µs per unit
}

func newGCRA(c Charge) gcra {
	w := c.Window.Microseconds()
	return gcra{window: w, interval: float64(w) / float64(c.Limit)}
}

// after returns the arrival time after adding cost units at tat (tat is
// already no earlier than now).
func (g gcra) after(tat, cost int64) int64 {
	return int64(math.Ceil(float64(tat) + float64(float64(cost)*g.interval)))
}

// fits reports whether a bucket at arrival time tat is within one window.
func (g gcra) fits(tat, now int64) bool { return tat-g.window <= now }

// state describes a bucket at arrival time tat; retryTat, when not 0, is the
// arrival time a refused charge would have needed.
func (g gcra) state(tat, now, retryTat int64) Bucket {
	rem := int64(math.Floor(float64(g.window-(tat-now)) / g.interval))
	b := Bucket{Remaining: max(rem, 0), Reset: time.Duration(tat-now) * time.Microsecond}
	if retryTat != 0 && !g.fits(retryTat, now) {
		b.RetryAfter = time.Duration(retryTat-g.window-now) * time.Microsecond
	}
	return b
}
