package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/oaicompat/oaicompat/redisstore"
	"github.com/oaicompat/oaicompat/responses"
	"github.com/oaicompat/oaicompat/responses/storetest"
)

// TestResponseStoreContract runs the Store checks against a real
// redis-server, each on a key prefix of its own.
func TestResponseStoreContract(t *testing.T) {
	srv := startRedis(t)
	rdb := srv.client()
	n := 0
	storetest.Run(t, func(t *testing.T, lim responses.Limits) responses.Store {
		n++
		return redisstore.NewResponseStore(rdb, redisstore.ResponseStoreConfig{KeyPrefix: fmt.Sprintf("contract%d:", n), Limits: lim})
	})
}

// TestResponseStoreKeys checks what Redis holds: keys named after a digest
// of the owner, never the owner, all with a TTL; and that nothing is left
// once the TTL passed.
func TestResponseStoreKeys(t *testing.T) {
	srv := startRedis(t)
	rdb := srv.client()
	ctx := context.Background()
	s := redisstore.NewResponseStore(rdb, redisstore.ResponseStoreConfig{KeyPrefix: "k:", Limits: responses.Limits{MaxAge: 300 * time.Millisecond}})
	if err := s.Put(ctx, "tenant-secret-name", storetest.Response("resp_1", 10)); err != nil {
		t.Fatal(err)
	}
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 6 { // the response, two item keys, three of bookkeeping
		t.Errorf("keys: %v", keys)
	}
	for _, k := range keys {
		if ttl := rdb.PTTL(ctx, k).Val(); ttl <= 0 || ttl > 300*time.Millisecond {
			t.Errorf("%s has TTL %v", k, ttl)
		}
		if len(k) < 37 || k[:3] != "k:{" || k[35] != '}' {
			t.Errorf("key %q is not prefix{digest}:...", k)
		}
		for _, leak := range []string{"tenant", "secret"} {
			if strings.Contains(k, leak) {
				t.Errorf("key %q shows the owner", k)
			}
		}
	}
	// Once everything expired, nothing is left.
	deadline := time.Now().Add(10 * time.Second)
	for rdb.DBSize(ctx).Val() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("keys left after their TTL: %v", rdb.Keys(ctx, "*").Val())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := s.Get(ctx, "tenant-secret-name", "resp_1"); !errors.Is(err, responses.ErrNotFound) {
		t.Errorf("Get after expiry: %v", err)
	}
}

// TestResponseStoreRefusesDeadlineBlindClient: a client that would wait
// for a frozen Redis whatever the deadline is refused.
func TestResponseStoreRefusesDeadlineBlindClient(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewResponseStore accepted a client without ContextTimeoutEnabled")
		}
	}()
	redisstore.NewResponseStore(redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}), redisstore.ResponseStoreConfig{})
}
