package redisstore_test

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/redisstore"
	"github.com/oaicompat/oaicompat/responses"
)

// backend stands for the program's oaicompat.Backend.
var backend = oaicompat.ChatFunc(func(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	return w.WriteText("You said: " + req.LastUserMessage())
})

// Replicas behind a load balancer share stored responses through Redis:
// each owner (the authenticated key) may keep 32 MiB, for a day.
func ExampleNewResponseStore() {
	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379", ContextTimeoutEnabled: true, MaxRetries: -1, DialerRetries: 1})
	store := redisstore.NewResponseStore(rdb, redisstore.ResponseStoreConfig{
		Limits: responses.Limits{OwnerBytes: 32 << 20, MaxAge: 24 * time.Hour},
	})
	_ = oaicompat.NewHandler(backend, oaicompat.WithResponseStore(store))
}
