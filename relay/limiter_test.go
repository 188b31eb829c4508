package relay

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	l := newLimiter(1, 1, 50*time.Millisecond)
	ctx := context.Background()
	if err := l.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	// One waiter times out; while it waits, a second is refused at once.
	waited := make(chan error)
	go func() { waited <- l.acquire(ctx) }()
	for l.waiting.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	if err := l.acquire(ctx); !errors.Is(err, errQueueFull) {
		t.Errorf("second waiter: %v, want errQueueFull", err)
	}
	if err := <-waited; !errors.Is(err, errQueueTimeout) {
		t.Errorf("waiter: %v, want errQueueTimeout", err)
	}
	// A waiter gets the slot when it is released, and a cancelled one leaves.
	go func() { waited <- l.acquire(ctx) }()
	for l.waiting.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	l.release()
	if err := <-waited; err != nil {
		t.Errorf("waiter after release: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := l.acquire(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if l.waiting.Load() != 0 {
		t.Errorf("%d left waiting", l.waiting.Load())
	}
	var unlimited *limiter = newLimiter(-1, 0, 0)
	if unlimited.acquire(ctx) != nil {
		t.Error("unlimited refused")
	}
	unlimited.release()
}
