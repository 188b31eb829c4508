package redisstore_test

import (
	"context"
	"log"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
	"github.com/oaicompat/oaicompat/redisstore"
	"github.com/oaicompat/oaicompat/relay"
)

// Replicas of a relay share their cooldowns through Redis. The client
// honours context deadlines and does not retry, so that a Redis outage
// costs each replica one short deadline before it falls back to its local
// state.
func ExampleNewHealth() {
	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379", ContextTimeoutEnabled: true, MaxRetries: -1,
		DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second})
	health := redisstore.NewHealth(rdb, "", relay.CooldownPolicy{MinRequests: 10, Base: 10 * time.Second})
	r, err := relay.New([]relay.Upstream{{Name: "vllm", BaseURL: "http://vllm:8000/v1"}}, relay.WithHealth(health))
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/v1/", relay.Headers(oaicompat.NewHandler(r, oaicompat.WithAnyModel(), oaicompat.WithoutOutputChecks())))
}

// Replicas of a server share rate limits through Redis, with a tier of
// limits per key id. The client honours context deadlines and does not
// retry, so a Redis outage costs each request one short deadline (250ms)
// before RateLimit answers 503 (or, with middleware.WithFailOpen, serves
// it unlimited).
func ExampleNewRateLimitStore() {
	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379", ContextTimeoutEnabled: true, MaxRetries: -1, DialerRetries: 1})
	limits := func(keyID string) middleware.Limits {
		if keyID == "enterprise" {
			return middleware.Limits{Requests: 10_000, Tokens: 2_000_000}
		}
		return middleware.Limits{Requests: 60, Tokens: 40_000}
	}
	chain := middleware.Chain(
		middleware.Auth(middleware.StaticKeys(map[string]string{"sk-1": "enterprise", "sk-2": "hobby"})),
		middleware.RateLimit(middleware.Limits{},
			middleware.WithKeyLimits(limits),
			middleware.WithStore(redisstore.NewRateLimitStore(rdb, redisstore.RateLimitStoreConfig{KeyPrefix: "myapp:ratelimit:"}))),
	)
	http.Handle("/v1/", chain(oaicompat.NewHandler(oaicompat.ChatFunc(
		func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
			return w.WriteText("ok")
		}))))
}
