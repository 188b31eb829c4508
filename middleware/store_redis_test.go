package middleware_test

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/oaicompat/oaicompat/middleware"
)

// startRedis starts a throw-away redis-server (no persistence) on a free
// loopback port for the test and returns a client for it. It skips the test
// only when no redis-server binary is installed (Debian package
// redis-server; CI installs it).
func startRedis(t *testing.T) *redis.Client {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed (apt-get install -y redis-server); skipping the Redis store tests")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir(), "--loglevel", "warning")
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	rdb := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port)})
	t.Cleanup(func() { rdb.Close() })
	// wait until it answers, or fail with its output
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return rdb
		}
		select {
		case <-exited:
			t.Fatalf("redis-server exited: %s", out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on port %d not ready: %v\n%s", port, err, out.String())
		}
	}
}

func TestRedisStore(t *testing.T) {
	t.Parallel()
	rdb := startRedis(t)
	n := 0
	testStore(t, func(*testing.T) middleware.Store {
		n++ // a fresh key space per scenario
		return middleware.NewRedisStore(rdb, fmt.Sprintf("test%d:", n))
	})
}

// TestRedisStoreKeys checks the key layout (one hash tag per client key) and
// that buckets expire when they are full again.
func TestRedisStoreKeys(t *testing.T) {
	t.Parallel()
	rdb := startRedis(t)
	ctx := context.Background()
	s := middleware.NewRedisStore(rdb, "")
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

func TestRedisStoreDown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1, DialTimeout: time.Second})
	defer rdb.Close()
	s := middleware.NewRedisStore(rdb, "")
	if _, _, err := s.Take(context.Background(), "k", time.Now(), []middleware.Charge{rpm(60, 1)}); err == nil {
		t.Fatal("Take against a closed port succeeded")
	}
	if _, err := s.Adjust(context.Background(), "k", time.Now(), rpm(60, 1)); err == nil {
		t.Fatal("Adjust against a closed port succeeded")
	}
}
