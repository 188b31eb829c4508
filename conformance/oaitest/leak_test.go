package oaitest_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat/oaitest"
)

// TestNoGoroutineLeaks runs servers through streams, hangs, stalls,
// disconnects and keep-alives, closes them, and checks that the number of
// goroutines returns to where it was. It is not parallel, so that other
// tests' goroutines do not move the count (Go runs the parallel tests only
// after the sequential ones).
func TestNoGoroutineLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Run("servers", func(t *testing.T) {
		mock := oaitest.NewServer(t, oaitest.WithKeepAlive(time.Millisecond))
		mock.On(oaitest.Chat().LastUser(oaitest.Equals("Hi there"))).Reply(
			oaitest.Text(story),
			oaitest.Text(story).DisconnectAfter(1),
			oaitest.Text(story).StallAfter(1),
			oaitest.Text(story).SplitWrites(1),
		)
		mock.On(oaitest.Chat().Stream(false)).Reply(oaitest.Hang())
		client := newOpenAI(mock)
		for range 4 {
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			_, _, _ = streamText(t, client, ctx)
			cancel()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, _ = client.Chat.Completions.New(ctx, chatParams(replyCase{}))

		// A hang still running when the test ends is released by cleanup.
		left := oaitest.NewServer(t)
		left.On(nil).Reply(oaitest.Hang())
		go func() { _, _ = newOpenAI(left).Chat.Completions.New(context.Background(), chatParams(replyCase{})) }()
		for len(left.Requests()) == 0 {
			runtime.Gosched()
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		runtime.Gosched()
		time.Sleep(5 * time.Millisecond) // poll interval, not a timing assertion
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}
