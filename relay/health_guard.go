package relay

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// guardedHealth puts a deadline on every call to a shared Health and falls
// back to local state when it fails: after an error the shared store is
// left alone for a pause (so an outage costs one deadline, not one per
// request), and every outcome is also recorded locally, so the local state
// is warm when it is needed.
type guardedHealth struct {
	shared  Health
	local   *MemoryHealth
	timeout time.Duration
	pause   time.Duration
	log     *slog.Logger

	mu        sync.Mutex
	downUntil time.Time
}

func newGuardedHealth(shared Health, policy CooldownPolicy, timeout, pause time.Duration, log *slog.Logger) *guardedHealth {
	return &guardedHealth{shared: shared, local: NewMemoryHealth(policy), timeout: timeout, pause: pause, log: log}
}

func (g *guardedHealth) up(now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return !now.Before(g.downUntil)
}

// failed notes a failed call to the shared store; it logs once per outage.
func (g *guardedHealth) failed(op string, now time.Time, err error) {
	g.mu.Lock()
	first := !now.Before(g.downUntil)
	g.downUntil = now.Add(g.pause)
	g.mu.Unlock()
	if first {
		g.log.Warn("relay: shared health store failed; using local state", "op", op, "pause", g.pause, "error", err)
	}
}

// Acquire implements Health.
func (g *guardedHealth) Acquire(ctx context.Context, target string, now time.Time) (Admission, error) {
	if g.up(now) {
		cctx, cancel := context.WithTimeout(ctx, g.timeout)
		a, err := g.shared.Acquire(cctx, target, now)
		cancel()
		if err == nil {
			return a, nil
		}
		if ctx.Err() != nil {
			return Admission{}, ctx.Err()
		}
		g.failed("acquire", now, err)
	}
	return g.local.Acquire(ctx, target, now)
}

// Report implements Health.
func (g *guardedHealth) Report(ctx context.Context, target string, now time.Time, o Outcome) error {
	_ = g.local.Report(ctx, target, now, o)
	if !g.up(now) {
		return nil
	}
	// The outcome is recorded even when the client has gone.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), g.timeout)
	err := g.shared.Report(cctx, target, now, o)
	cancel()
	if err != nil {
		g.failed("report", now, err)
	}
	return nil
}
