package redisstore_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
	"github.com/oaicompat/oaicompat/middleware/storetest"
	"github.com/oaicompat/oaicompat/redisstore"
)

// TestRateLimitStoreContract holds the Redis store to the Store contract,
// to the microsecond of middleware.MemoryStore.
func TestRateLimitStoreContract(t *testing.T) {
	t.Parallel()
	rdb := startRedis(t).client()
	n := 0
	storetest.Run(t, func(*testing.T) middleware.Store {
		n++ // a fresh key space per scenario
		return redisstore.NewRateLimitStore(rdb, redisstore.RateLimitStoreConfig{KeyPrefix: fmt.Sprintf("test%d:", n)})
	})
}

// TestRateLimitStoreKeys checks the key layout (one hash tag per client key)
// and that buckets expire when they are full again.
func TestRateLimitStoreKeys(t *testing.T) {
	t.Parallel()
	rdb := startRedis(t).client()
	ctx := context.Background()
	s := redisstore.NewRateLimitStore(rdb, redisstore.RateLimitStoreConfig{})
	now := time.Now()
	ok, _, err := s.Take(ctx, "user{1}", now, []middleware.Charge{
		{Name: "requests", Limit: 60, Window: time.Minute, Cost: 1},
		{Name: "tokens", Limit: 1000, Window: time.Minute, Cost: 500},
	})
	if err != nil || !ok {
		t.Fatalf("Take: %v, %v", ok, err)
	}
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Duration{
		"oaicompat:ratelimit:{user(1)}:requests": time.Second,
		"oaicompat:ratelimit:{user(1)}:tokens":   30 * time.Second,
	}
	if len(keys) != len(want) {
		t.Fatalf("keys %v, want %v", keys, want)
	}
	for k, full := range want {
		ttl, err := rdb.PTTL(ctx, k).Result()
		if err != nil || ttl <= 0 || ttl > full {
			t.Fatalf("%s: ttl %v, %v; want (0, %v]", k, ttl, err, full)
		}
	}
	// a refund to empty deletes the bucket
	if _, err := s.Adjust(ctx, "user{1}", now, middleware.Charge{Name: "tokens", Limit: 1000, Window: time.Minute, Cost: -500}); err != nil {
		t.Fatal(err)
	}
	if n, _ := rdb.Exists(ctx, "oaicompat:ratelimit:{user(1)}:tokens").Result(); n != 0 {
		t.Fatalf("an empty bucket is still stored")
	}
}

// TestNewRateLimitStoreRefusesStallingClients: a client that ignores
// context deadlines or retries is refused at construction.
func TestNewRateLimitStoreRefusesStallingClients(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		opts      redis.Options
		wantPanic bool
	}{
		{"deadlines and no retries", redis.Options{ContextTimeoutEnabled: true, MaxRetries: -1}, false},
		{"default options", redis.Options{}, true},
		{"deadlines but retries", redis.Options{ContextTimeoutEnabled: true}, true},
		{"no retries but no deadlines", redis.Options{MaxRetries: -1}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Addr = "127.0.0.1:1"
			rdb := redis.NewClient(&tt.opts)
			defer rdb.Close()
			panicked := func() (p bool) {
				defer func() { p = recover() != nil }()
				redisstore.NewRateLimitStore(rdb, redisstore.RateLimitStoreConfig{})
				return false
			}()
			if panicked != tt.wantPanic {
				t.Fatalf("panicked = %v, want %v", panicked, tt.wantPanic)
			}
		})
	}
}

// limited serves a chat handler behind RateLimit (one request per second per
// key) on the Redis store, and returns its URL.
func limited(t *testing.T, rdb redis.Scripter, prefix string, opts ...middleware.RateLimitOption) string {
	t.Helper()
	store := redisstore.NewRateLimitStore(rdb, redisstore.RateLimitStoreConfig{KeyPrefix: prefix})
	rl := middleware.RateLimit(middleware.Limits{Requests: 60}, append([]middleware.RateLimitOption{
		middleware.WithStore(store),
		middleware.WithKeyFunc(func(r *http.Request) string { return r.Header.Get("X-Key") }),
	}, opts...)...)
	srv := httptest.NewServer(rl(oaicompat.NewHandler(oaicompat.ChatFunc(
		func(_ context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
			return w.WriteText("ok")
		}))))
	t.Cleanup(srv.Close)
	return srv.URL
}

// post sends one chat request for key and returns the status and the
// Retry-After and x-ratelimit-remaining-requests headers. The client's
// timeout is far above the store's deadline: a request that hangs fails
// the test instead of passing late.
func post(t *testing.T, url, key string) (status int, retryAfter, remaining string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/v1/chat/completions",
		strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Key", key)
	cl := &http.Client{Timeout: 10 * time.Second}
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatalf("request hung or failed: %v", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("X-Ratelimit-Remaining-Requests")
}

// TestRateLimitRedisOutage kills or freezes Redis under a RateLimit: while
// it is away every request is answered at the store's deadline, 503 with
// Retry-After (fail closed) or served (fail open), never held; when Redis
// is back the limits apply again.
func TestRateLimitRedisOutage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		freeze     bool // SIGSTOP and SIGCONT, else kill and restart (empty)
		failOpen   bool
		wantDuring int
	}{
		{"killed, fail closed", false, false, http.StatusServiceUnavailable},
		{"frozen, fail closed", true, false, http.StatusServiceUnavailable},
		{"killed, fail open", false, true, http.StatusOK},
		{"frozen, fail open", true, true, http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startRedis(t)
			var opts []middleware.RateLimitOption
			if tt.failOpen {
				opts = append(opts, middleware.WithFailOpen())
			}
			url := limited(t, srv.client(), "outage:", opts...)
			if status, _, rem := post(t, url, "k"); status != http.StatusOK || rem != "59" {
				t.Fatalf("before the outage: %d, %s remaining; want 200, 59", status, rem)
			}
			if tt.freeze {
				srv.freeze()
			} else {
				srv.kill()
			}
			for i := range 3 {
				status, retry, _ := post(t, url, "k")
				if status != tt.wantDuring {
					t.Fatalf("request %d during the outage: %d, want %d", i, status, tt.wantDuring)
				}
				if status == http.StatusServiceUnavailable && retry != "1" {
					t.Fatalf("request %d during the outage: Retry-After %q, want 1", i, retry)
				}
			}
			if tt.freeze {
				srv.resume()
			} else {
				srv.restart()
			}
			// the pool reconnects by itself: limits apply again
			var status int
			var rem string
			for range 50 {
				if status, _, rem = post(t, url, "k"); status == http.StatusOK && rem != "" {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
			t.Fatalf("after the outage: %d, %q remaining; want 200 with limit headers", status, rem)
		})
	}
}

// TestRateLimitRedisReplicas: two replicas, each with its own RateLimit and
// its own Redis connection, share one limit per key.
func TestRateLimitRedisReplicas(t *testing.T) {
	t.Parallel()
	srv := startRedis(t)
	var urls [2]string
	for i := range urls {
		store := redisstore.NewRateLimitStore(srv.client(), redisstore.RateLimitStoreConfig{KeyPrefix: "replicas:"})
		rl := middleware.RateLimit(middleware.Limits{Requests: 3, Window: time.Hour}, middleware.WithStore(store),
			middleware.WithKeyFunc(func(r *http.Request) string { return r.Header.Get("X-Key") }))
		h := httptest.NewServer(rl(oaicompat.NewHandler(oaicompat.ChatFunc(
			func(_ context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
				return w.WriteText("ok")
			}))))
		t.Cleanup(h.Close)
		urls[i] = h.URL
	}
	for i, call := range []struct {
		replica   int
		key       string
		want      int
		remaining string
	}{
		{0, "alice", 200, "2"},
		{1, "alice", 200, "1"},
		{0, "alice", 200, "0"},
		{1, "alice", 429, "0"}, // three per hour, across replicas
		{0, "alice", 429, "0"},
		{1, "bob", 200, "2"}, // keys apart
	} {
		status, _, rem := post(t, urls[call.replica], call.key)
		if status != call.want || rem != call.remaining {
			t.Fatalf("call %d: %d with %q left, want %d with %s", i, status, rem, call.want, call.remaining)
		}
	}
}

// TestRateLimitStoreRefusedDial: nothing listens on the port: every call
// fails, none hangs.
func TestRateLimitStoreRefusedDial(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	rdb := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true, MaxRetries: -1, DialerRetries: 1})
	defer rdb.Close()
	s := redisstore.NewRateLimitStore(rdb, redisstore.RateLimitStoreConfig{})
	c := middleware.Charge{Name: "requests", Limit: 60, Window: time.Minute, Cost: 1}
	if _, _, err := s.Take(context.Background(), "k", time.Now(), []middleware.Charge{c}); err == nil {
		t.Fatal("Take against a closed port succeeded")
	}
	if _, err := s.Adjust(context.Background(), "k", time.Now(), c); err == nil {
		t.Fatal("Adjust against a closed port succeeded")
	}
}
