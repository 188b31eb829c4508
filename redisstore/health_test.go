package redisstore_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/redisstore"
	"github.com/oaicompat/oaicompat/relay"
	"github.com/oaicompat/oaicompat/relay/relaytest"
)

// TestHealthContract holds the Redis Health to the contract of every
// relay.Health, to the millisecond of relay.MemoryHealth.
func TestHealthContract(t *testing.T) {
	t.Parallel()
	rdb := startRedis(t).client()
	n := 0
	relaytest.HealthContract(t, func(p relay.CooldownPolicy) relay.Health {
		n++ // a fresh key space per scenario
		return redisstore.NewHealth(rdb, fmt.Sprintf("contract%d:", n), p)
	})
}

// TestHealthKeys: one hash per target under the prefix, with a hash tag,
// expiring after twice the longer of Window and Max.
func TestHealthKeys(t *testing.T) {
	t.Parallel()
	rdb := startRedis(t).client()
	h := redisstore.NewHealth(rdb, "", relay.CooldownPolicy{Window: time.Minute, Max: 5 * time.Minute})
	ctx := context.Background()
	if err := h.Report(ctx, "up{1}#abc", time.Now(), relay.Outcome{Kind: relay.Dead}); err != nil {
		t.Fatal(err)
	}
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil || len(keys) != 1 || keys[0] != "oaicompat:health:{up(1)#abc}" {
		t.Fatalf("keys = %v, %v", keys, err)
	}
	ttl, err := rdb.PTTL(ctx, keys[0]).Result()
	if err != nil || ttl <= 9*time.Minute || ttl > 10*time.Minute {
		t.Errorf("ttl = %v, %v", ttl, err)
	}
}

// replica starts a relay (its own process state, the shared Redis health)
// in front of the upstreams, and returns its base URL and log.
func replica(t *testing.T, health relay.Health, ups []relay.Upstream) (string, *lockedBuffer) {
	t.Helper()
	log := &lockedBuffer{}
	logger := slog.New(slog.NewTextHandler(log, nil))
	r, err := relay.New(ups, relay.WithHealth(health), relay.WithRetries(0), relay.WithLogger(logger),
		relay.WithHealthTimeout(100*time.Millisecond, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	srv := httptest.NewServer(relay.Headers(oaicompat.NewHandler(r, oaicompat.WithAnyModel(), oaicompat.WithLogger(logger))))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1", log
}

// upstreams returns a failing main upstream (counting its requests) and a
// healthy backup.
func upstreams(t *testing.T) ([]relay.Upstream, *atomic.Int32) {
	var hits atomic.Int32
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		oaicompat.WriteError(w, oaicompat.ServerError("down"))
	}))
	t.Cleanup(failing.Close)
	backup := httptest.NewServer(oaicompat.NewHandler(oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		return w.WriteText("backup")
	}), oaicompat.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))))
	t.Cleanup(backup.Close)
	return []relay.Upstream{
		{Name: "main", BaseURL: failing.URL + "/v1"},
		{Name: "backup", BaseURL: backup.URL + "/v1", Priority: 1},
	}, &hits
}

// chat sends one chat request and returns the upstream that answered.
func chat(t *testing.T, base string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/chat/completions",
		strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"content":"backup"`) {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	return resp.Header.Get(relay.HeaderUpstream)
}

// TestReplicasShareCooldowns: replica A's failures trip the main upstream;
// replica B, which never saw main fail, skips it from then on.
func TestReplicasShareCooldowns(t *testing.T) {
	t.Parallel()
	rdb := startRedis(t).client()
	ups, hits := upstreams(t)
	policy := relay.CooldownPolicy{MinRequests: 2, Base: time.Minute}
	a, _ := replica(t, redisstore.NewHealth(rdb, "", policy), ups)
	b, _ := replica(t, redisstore.NewHealth(rdb, "", policy), ups)
	for i := 0; i < 2; i++ {
		if got := chat(t, a); got != "backup" {
			t.Fatalf("replica A: %s", got)
		}
	}
	if hits.Load() != 2 {
		t.Fatalf("main got %d requests, want 2 (the trip)", hits.Load())
	}
	for i := 0; i < 5; i++ {
		if got := chat(t, b); got != "backup" {
			t.Fatalf("replica B: %s", got)
		}
	}
	if n := hits.Load(); n != 2 {
		t.Errorf("main got %d requests from replica B while cooling down, want none", n-2)
	}
}

// TestRedisOutage: a frozen Redis (no answer at all) and a dead one cost
// each replica one short deadline, then requests are served from local
// state, and the outage is logged; the replica's own trips still work.
func TestRedisOutage(t *testing.T) {
	t.Parallel()
	srv := startRedis(t)
	rdb := srv.client()
	ups, hits := upstreams(t)
	policy := relay.CooldownPolicy{MinRequests: 2, Base: time.Minute}
	base, log := replica(t, redisstore.NewHealth(rdb, "", policy), ups)
	srv.freeze()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chat(t, base)
		}()
	}
	wg.Wait()
	for i := 0; i < 3; i++ {
		chat(t, base)
	}
	srv.resume()
	if !strings.Contains(log.String(), "shared health store failed; using local state") {
		t.Errorf("the outage is not logged:\n%s", log.String())
	}
	if n := hits.Load(); n > 4 {
		t.Errorf("main got %d requests: the local state did not trip it", n)
	}
}
