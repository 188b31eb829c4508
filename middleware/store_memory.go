package middleware

import (
	"context"
	"sync"
	"time"
)

// MemoryStore is the Store RateLimit uses by default: buckets in this
// process's memory, so each replica of a server limits on its own (use
// redisstore.RateLimitStore to share limits). Buckets that have refilled
// are forgotten, so memory follows the number of keys active within a
// window. Its zero value is not ready: use NewMemoryStore.
type MemoryStore struct {
	mu    sync.Mutex
	tats  map[bucketKey]int64 // µs; absent means full
	calls int
}

type bucketKey struct{ key, name string }

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{tats: map[bucketKey]int64{}} }

// sweepEvery is how many calls pass between scans that drop full buckets.
const sweepEvery = 4096

// Take implements Store.
func (s *MemoryStore) Take(_ context.Context, key string, now time.Time, charges []Charge) (bool, []Bucket, error) {
	t := now.UnixMicro()
	var tatsA, newsA [2]int64 // RateLimit charges at most two buckets
	tats, news := tatsA[:0], newsA[:0]
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(t)
	ok := true
	for _, c := range charges {
		g := newGCRA(c)
		tat := max(s.tats[bucketKey{key, c.Name}], t)
		n := g.after(tat, c.Cost)
		ok = ok && g.fits(n, t)
		tats, news = append(tats, tat), append(news, n)
	}
	buckets := make([]Bucket, len(charges))
	for i, c := range charges {
		g := newGCRA(c)
		if ok {
			s.tats[bucketKey{key, c.Name}] = news[i]
			buckets[i] = g.state(news[i], t, 0)
		} else {
			buckets[i] = g.state(tats[i], t, news[i])
		}
	}
	return ok, buckets, nil
}

// Adjust implements Store.
func (s *MemoryStore) Adjust(_ context.Context, key string, now time.Time, c Charge) (Bucket, error) {
	t := now.UnixMicro()
	g := newGCRA(c)
	k := bucketKey{key, c.Name}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(t)
	tat := g.after(max(s.tats[k], t), c.Cost)
	if tat <= t {
		delete(s.tats, k)
		tat = t
	} else {
		s.tats[k] = tat
	}
	return g.state(tat, t, 0), nil
}

// sweep drops the buckets that are full again, every sweepEvery calls.
func (s *MemoryStore) sweep(now int64) {
	if s.calls++; s.calls < sweepEvery {
		return
	}
	s.calls = 0
	for k, tat := range s.tats {
		if tat <= now {
			delete(s.tats, k)
		}
	}
}
