package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/oaicompat/oaicompat/middleware"
)

// RateLimitStore is a [middleware.Store] in Redis, so that every replica of
// a server draws on one limit per key:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379", ContextTimeoutEnabled: true, MaxRetries: -1, DialerRetries: 1})
//	rl := middleware.RateLimit(limits, middleware.WithStore(redisstore.NewRateLimitStore(rdb, redisstore.RateLimitStoreConfig{})))
//
// Each Take and Adjust is one Lua script run (EVALSHA), atomic on the
// server, applying the arithmetic of [middleware.MemoryStore] to the
// microsecond (both pass middleware/storetest); a bucket is one string key
// holding its arrival time, expiring when the bucket is full again. The
// bucket keys of one client key share a hash tag, so the store works on
// Redis Cluster. Time comes from the callers (RateLimit's clock), not from
// Redis: replicas should keep their clocks in sync (NTP), as they usually
// do.
//
// # Failures
//
// Every call has a deadline ([RateLimitStoreConfig].Timeout, 250ms by
// default): a Redis that is down, frozen or slow makes the call fail at it,
// and [middleware.RateLimit] then answers 503 with Retry-After (fail
// closed, its default) or serves the request unlimited
// ([middleware.WithFailOpen]). Calls are never retried: a retried Take
// could charge twice, and retries would stretch the deadline. The go-redis
// pool reconnects by itself when Redis is back. The client must honour
// context deadlines on the socket (redis.Options.ContextTimeoutEnabled) and
// must not retry (MaxRetries -1; DialerRetries 1 keeps a refused dial
// short): NewRateLimitStore panics for a *redis.Client or
// *redis.ClusterClient configured otherwise.
type RateLimitStore struct {
	client  redis.Scripter
	prefix  string
	timeout time.Duration
}

// RateLimitStoreConfig configures a [RateLimitStore]; a zero field takes
// its default.
type RateLimitStoreConfig struct {
	// KeyPrefix starts every key: a bucket is KeyPrefix + "{" + client key
	// + "}:" + bucket name. Default "oaicompat:ratelimit:".
	KeyPrefix string
	// Timeout is the deadline of each call to Redis. Default 250ms.
	Timeout time.Duration
}

// NewRateLimitStore returns a RateLimitStore using client (a *redis.Client,
// *redis.ClusterClient, *redis.Ring or any other redis.Scripter). It panics
// when client is a *redis.Client or *redis.ClusterClient that ignores
// context deadlines (Options.ContextTimeoutEnabled false) or retries
// (Options.MaxRetries not -1): such a client would stall requests while
// Redis is frozen.
func NewRateLimitStore(client redis.Scripter, cfg RateLimitStoreConfig) *RateLimitStore {
	if !deadlineAware(client) || retries(client) {
		panic("redisstore: the go-redis client ignores context deadlines or retries, " +
			"so a frozen Redis would stall every rate-limited request; set ContextTimeoutEnabled: true, MaxRetries: -1 and DialerRetries: 1")
	}
	if cfg.KeyPrefix == "" {
		cfg.KeyPrefix = "oaicompat:ratelimit:"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 250 * time.Millisecond
	}
	return &RateLimitStore{client: client, prefix: cfg.KeyPrefix, timeout: cfg.Timeout}
}

// retries reports whether client retries failed commands, as far as it can
// be told (go-redis reports MaxRetries -1 as 0 once a client is made).
func retries(client redis.Scripter) bool {
	switch c := client.(type) {
	case *redis.Client:
		return c.Options().MaxRetries > 0
	case *redis.ClusterClient:
		return c.Options().MaxRetries > 0
	}
	return false
}

// takeScript is middleware.MemoryStore.Take in Lua (see middleware/store.go
// for the arithmetic).
// KEYS: one per bucket. ARGV[1]: now (µs); then per bucket window (µs),
// limit, cost. Returns {ok, then per bucket remaining, reset µs, retry µs}.
var takeScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local n = #KEYS
local tat, new, win, per = {}, {}, {}, {}
local ok = 1
for i = 1, n do
  local w = tonumber(ARGV[3*i - 1])
  local interval = w / tonumber(ARGV[3*i])
  local t = tonumber(redis.call('GET', KEYS[i]) or now)
  if t < now then t = now end
  local nt = math.ceil(t + tonumber(ARGV[3*i + 1]) * interval)
  tat[i], new[i], win[i], per[i] = t, nt, w, interval
  if nt - w > now then ok = 0 end
end
local out = {ok}
for i = 1, n do
  local t, retry = tat[i], 0
  if ok == 1 then
    t = new[i]
    redis.call('SET', KEYS[i], string.format('%d', t), 'PX', math.max(1, math.ceil((t - now) / 1000)))
  elseif new[i] - win[i] > now then
    retry = new[i] - win[i] - now
  end
  local rem = math.floor((win[i] - (t - now)) / per[i])
  if rem < 0 then rem = 0 end
  out[#out + 1] = rem
  out[#out + 1] = t - now
  out[#out + 1] = retry
end
return out
`)

// adjustScript is middleware.MemoryStore.Adjust in Lua. KEYS[1]: the bucket. ARGV: now
// (µs), window (µs), limit, delta. Returns {remaining, reset µs}.
var adjustScript = redis.NewScript(`
local now, w = tonumber(ARGV[1]), tonumber(ARGV[2])
local interval = w / tonumber(ARGV[3])
local t = tonumber(redis.call('GET', KEYS[1]) or now)
if t < now then t = now end
t = math.ceil(t + tonumber(ARGV[4]) * interval)
if t <= now then
  t = now
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], string.format('%d', t), 'PX', math.max(1, math.ceil((t - now) / 1000)))
end
local rem = math.floor((w - (t - now)) / interval)
if rem < 0 then rem = 0 end
return {rem, t - now}
`)

// Take implements [middleware.Store].
func (s *RateLimitStore) Take(ctx context.Context, key string, now time.Time, charges []middleware.Charge) (bool, []middleware.Bucket, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	keys := make([]string, len(charges))
	args := make([]any, 1, 1+3*len(charges))
	args[0] = now.UnixMicro()
	for i, c := range charges {
		keys[i] = s.key(key, c.Name)
		args = append(args, c.Window.Microseconds(), c.Limit, c.Cost)
	}
	res, err := takeScript.Run(ctx, s.client, keys, args...).Int64Slice()
	if err != nil {
		return false, nil, fmt.Errorf("redisstore: rate-limit take: %w", err)
	}
	if len(res) != 1+3*len(charges) {
		return false, nil, fmt.Errorf("redisstore: rate-limit take: %d values for %d buckets", len(res), len(charges))
	}
	buckets := make([]middleware.Bucket, len(charges))
	for i := range buckets {
		r := res[1+3*i:]
		buckets[i] = middleware.Bucket{Remaining: r[0], Reset: micros(r[1]), RetryAfter: micros(r[2])}
	}
	return res[0] == 1, buckets, nil
}

// Adjust implements [middleware.Store].
func (s *RateLimitStore) Adjust(ctx context.Context, key string, now time.Time, c middleware.Charge) (middleware.Bucket, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	res, err := adjustScript.Run(ctx, s.client, []string{s.key(key, c.Name)},
		now.UnixMicro(), c.Window.Microseconds(), c.Limit, c.Cost).Int64Slice()
	if err != nil {
		return middleware.Bucket{}, fmt.Errorf("redisstore: rate-limit adjust: %w", err)
	}
	if len(res) != 2 {
		return middleware.Bucket{}, fmt.Errorf("redisstore: rate-limit adjust: %d values", len(res))
	}
	return middleware.Bucket{Remaining: res[0], Reset: micros(res[1])}, nil
}

// key names a bucket; hashTagSafe keeps the client key from ending the
// {hash tag} early.
func (s *RateLimitStore) key(key, bucket string) string {
	return s.prefix + "{" + hashTagSafe.Replace(key) + "}:" + bucket
}

func micros(n int64) time.Duration { return time.Duration(n) * time.Microsecond }
