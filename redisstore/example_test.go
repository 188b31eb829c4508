package redisstore_test

import (
	"log"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/oaicompat/oaicompat"
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
