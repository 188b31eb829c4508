package relay

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// brokenHealth fails every call: at once, or after blocking until its
// deadline (a store that does not answer).
type brokenHealth struct {
	hang  bool
	calls atomic.Int32
}

func (b *brokenHealth) fail(ctx context.Context) error {
	b.calls.Add(1)
	if b.hang {
		<-ctx.Done()
		return ctx.Err()
	}
	return errors.New("connection refused")
}

func (b *brokenHealth) Acquire(ctx context.Context, _ string, _ time.Time) (Admission, error) {
	return Admission{}, b.fail(ctx)
}

func (b *brokenHealth) Report(ctx context.Context, _ string, _ time.Time, _ Outcome) error {
	return b.fail(ctx)
}

// TestGuardedHealth: a failing shared store costs at most one deadline,
// then is left alone for the pause while the local state decides (and
// already knows what was reported), and the outage is logged once.
func TestGuardedHealth(t *testing.T) {
	for _, hang := range []bool{false, true} {
		shared := &brokenHealth{hang: hang}
		var log strings.Builder
		g := newGuardedHealth(shared, CooldownPolicy{}, 20*time.Millisecond, time.Minute, slog.New(slog.NewTextHandler(&log, nil)))
		ctx := context.Background()
		now := time.Now()
		_ = g.Report(ctx, "u", now, Outcome{Kind: Dead})
		start := time.Now()
		for i := 0; i < 50; i++ {
			a, err := g.Acquire(ctx, "u", now)
			if err != nil || a.OK || a.Cause != Dead {
				t.Fatalf("hang %v: acquire %d: %+v %v (the local state saw the dead key)", hang, i, a, err)
			}
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("hang %v: 50 acquires took %v", hang, d)
		}
		if n := shared.calls.Load(); n != 1 {
			t.Errorf("hang %v: the shared store was called %d times during the pause", hang, n)
		}
		if n := strings.Count(log.String(), "shared health store failed"); n != 1 {
			t.Errorf("hang %v: logged %d times:\n%s", hang, n, log.String())
		}
		// After the pause the shared store is tried again.
		if _, err := g.Acquire(ctx, "u", now.Add(2*time.Minute)); err != nil || shared.calls.Load() != 2 {
			t.Errorf("hang %v: after the pause: %v, %d calls", hang, err, shared.calls.Load())
		}
	}
}
