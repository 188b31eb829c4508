package middleware_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat/middleware"
	"github.com/oaicompat/oaicompat/middleware/storetest"
)

func TestMemoryStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(*testing.T) middleware.Store { return middleware.NewMemoryStore() })
}

// TestMemoryStoreForgets checks that buckets that refilled are dropped.
func TestMemoryStoreForgets(t *testing.T) {
	t.Parallel()
	s := middleware.NewMemoryStore()
	start := time.Unix(1_700_000_000, 0)
	ctx := context.Background()
	for i := range 5000 {
		if _, _, err := s.Take(ctx, fmt.Sprint("key", i), start, []middleware.Charge{{Name: "requests", Limit: 60, Window: time.Minute, Cost: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	if n := middleware.MemoryStoreLen(s); n < 4096 {
		t.Fatalf("%d buckets kept while all are in use", n)
	}
	// a minute later every bucket is full: the next sweep drops them all
	later := start.Add(time.Minute)
	for i := range 5000 {
		_, _, _ = s.Take(ctx, "fresh", later.Add(time.Duration(i)*time.Second), []middleware.Charge{{Name: "requests", Limit: 60, Window: time.Minute, Cost: 1}})
	}
	if n := middleware.MemoryStoreLen(s); n > 1 {
		t.Fatalf("%d buckets kept after they refilled, want 1", n)
	}
}
