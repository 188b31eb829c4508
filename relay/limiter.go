package relay

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// limiter bounds the requests in flight to one upstream (a semaphore) and
// the requests waiting for a slot (a counter); every wait has a deadline.
// A nil *limiter is unlimited.
type limiter struct {
	slots   chan struct{}
	waiting atomic.Int64
	queue   int64
	timeout time.Duration
}

var (
	errQueueFull    = errors.New("relay: upstream queue full")
	errQueueTimeout = errors.New("relay: timed out waiting for an upstream slot")
)

func newLimiter(concurrent, queue int, timeout time.Duration) *limiter {
	if concurrent < 0 {
		return nil
	}
	return &limiter{slots: make(chan struct{}, concurrent), queue: int64(queue), timeout: timeout}
}

// acquire takes a slot, waiting in the queue when none is free. It fails
// with errQueueFull, errQueueTimeout or ctx's error.
func (l *limiter) acquire(ctx context.Context) error {
	if l == nil {
		return nil
	}
	select {
	case l.slots <- struct{}{}:
		return nil
	default:
	}
	if l.waiting.Add(1) > l.queue {
		l.waiting.Add(-1)
		return errQueueFull
	}
	defer l.waiting.Add(-1)
	t := time.NewTimer(l.timeout)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return nil
	case <-t.C:
		return errQueueTimeout
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release gives a slot back.
func (l *limiter) release() {
	if l != nil {
		<-l.slots
	}
}
