package middleware

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisStore keeps rate-limit buckets in Redis, so that every replica of a
// server draws on one limit per key. Each Take and Adjust is one Lua script
// run (EVALSHA), atomic on the server; a bucket is one string key holding its
// arrival time, expiring when the bucket is full again. The bucket keys of
// one client key share a hash tag, so the store works on Redis Cluster.
//
// Time comes from the callers (RateLimit's clock), not from Redis: replicas
// should keep their clocks in sync (NTP), as they usually do.
type RedisStore struct {
	client redis.Scripter
	prefix string
}

// NewRedisStore returns a RedisStore using client (a *redis.Client,
// *redis.ClusterClient, *redis.Ring or any other redis.Scripter) and naming
// its keys keyPrefix + "{" + key + "}:" + bucket. An empty keyPrefix means
// "oaicompat:ratelimit:".
func NewRedisStore(client redis.Scripter, keyPrefix string) *RedisStore {
	if keyPrefix == "" {
		keyPrefix = "oaicompat:ratelimit:"
	}
	return &RedisStore{client: client, prefix: keyPrefix}
}

// takeScript is MemoryStore.Take in Lua (see store.go for the arithmetic).
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

// adjustScript is MemoryStore.Adjust in Lua. KEYS[1]: the bucket. ARGV: now
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

// Take implements Store.
func (s *RedisStore) Take(ctx context.Context, key string, now time.Time, charges []Charge) (bool, []Bucket, error) {
	keys := make([]string, len(charges))
	args := make([]any, 1, 1+3*len(charges))
	args[0] = now.UnixMicro()
	for i, c := range charges {
		keys[i] = s.key(key, c.Name)
		args = append(args, c.Window.Microseconds(), c.Limit, c.Cost)
	}
	res, err := takeScript.Run(ctx, s.client, keys, args...).Int64Slice()
	if err != nil {
		return false, nil, fmt.Errorf("oaicompat/middleware: redis rate-limit take: %w", err)
	}
	if len(res) != 1+3*len(charges) {
		return false, nil, fmt.Errorf("oaicompat/middleware: redis rate-limit take: %d values for %d buckets", len(res), len(charges))
	}
	buckets := make([]Bucket, len(charges))
	for i := range buckets {
		r := res[1+3*i:]
		buckets[i] = Bucket{Remaining: r[0], Reset: micros(r[1]), RetryAfter: micros(r[2])}
	}
	return res[0] == 1, buckets, nil
}

// Adjust implements Store.
func (s *RedisStore) Adjust(ctx context.Context, key string, now time.Time, c Charge) (Bucket, error) {
	res, err := adjustScript.Run(ctx, s.client, []string{s.key(key, c.Name)},
		now.UnixMicro(), c.Window.Microseconds(), c.Limit, c.Cost).Int64Slice()
	if err != nil {
		return Bucket{}, fmt.Errorf("oaicompat/middleware: redis rate-limit adjust: %w", err)
	}
	if len(res) != 2 {
		return Bucket{}, fmt.Errorf("oaicompat/middleware: redis rate-limit adjust: %d values", len(res))
	}
	return Bucket{Remaining: res[0], Reset: micros(res[1])}, nil
}

// hashTagSafe keeps a client key from ending the {hash tag} early.
var hashTagSafe = strings.NewReplacer("{", "(", "}", ")")

func (s *RedisStore) key(key, bucket string) string {
	return s.prefix + "{" + hashTagSafe.Replace(key) + "}:" + bucket
}

func micros(n int64) time.Duration { return time.Duration(n) * time.Microsecond }
