package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/oaicompat/oaicompat/relay"
)

// Health is a [relay.Health] in Redis, so that the replicas of a relay
// share their cooldowns: an upstream one replica saw fail is skipped by
// all, and one half-open probe tests it for all of them.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379", ContextTimeoutEnabled: true, MaxRetries: -1})
//	r, err := relay.New(upstreams, relay.WithHealth(redisstore.NewHealth(rdb, "", relay.CooldownPolicy{})))
//
// Each Acquire and Report is one Lua script run (EVALSHA), atomic on the
// server, applying the [relay.CooldownPolicy] exactly as
// [relay.MemoryHealth] does (both pass the relaytest.HealthContract). A
// target is one hash holding its cooldown deadline, trips, failure window
// and probe lease, expiring some time after its last report (twice the
// longer of the policy's Window and Max), so idle targets leave nothing
// behind. Target names are upstream names and key hashes, never keys.
//
// Time comes from the callers (the relay's clock), not from Redis:
// replicas should keep their clocks in sync (NTP). The relay gives every
// call a short deadline (relay.WithHealthTimeout, 50ms by default) and
// falls back to its local state while Redis fails, so a Redis outage never
// stalls requests; that needs a go-redis client that honours context
// deadlines (Options.ContextTimeoutEnabled) and does not retry
// (Options.MaxRetries -1).
type Health struct {
	client redis.Scripter
	prefix string
	policy relay.CooldownPolicy
}

// NewHealth returns a Health using client (a *redis.Client,
// *redis.ClusterClient, *redis.Ring or any other redis.Scripter), naming
// its keys keyPrefix + "{" + target + "}" (one hash tag per target, so it
// works on Redis Cluster), and applying policy (zero fields take
// relay.DefaultCooldownPolicy's). An empty keyPrefix means
// "oaicompat:health:".
func NewHealth(client redis.Scripter, keyPrefix string, policy relay.CooldownPolicy) *Health {
	if keyPrefix == "" {
		keyPrefix = "oaicompat:health:"
	}
	return &Health{client: client, prefix: keyPrefix, policy: policy.WithDefaults()}
}

// Policy returns the policy h applies (the relay's local fallback state
// applies it too).
func (h *Health) Policy() relay.CooldownPolicy { return h.policy }

// acquireScript is relay.MemoryHealth.Acquire in Lua. KEYS[1]: the target.
// ARGV: now (ms), probe timeout (ms). Returns {ok, probe, until ms, cause}.
var acquireScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local h = redis.call('HMGET', KEYS[1], 'until', 'probe', 'cause')
local untilv = tonumber(h[1] or '0')
local cause = tonumber(h[3] or '0')
if untilv == 0 then return {1, 0, 0, 0} end
if now < untilv then return {0, 0, untilv, cause} end
local probe = tonumber(h[2] or '0')
if now < probe then return {0, 0, probe, cause} end
redis.call('HSET', KEYS[1], 'probe', string.format('%d', now + tonumber(ARGV[2])))
return {1, 1, 0, 0}
`)

// reportScript is relay.MemoryHealth.Report in Lua. KEYS[1]: the target.
// ARGV: now (ms), kind, probe (0/1), cooldown of a RateLimited or Dead
// outcome (ms), window (ms), min requests, failure rate, base (ms), max
// (ms), ttl (ms). The kinds are relay.OutcomeKind's values.
var reportScript = redis.NewScript(`
local SUCCESS, FAILURE, ABANDONED = 0, 1, 4
local key = KEYS[1]
local now, kind, probe = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3] == '1'
local cooldown, window, minreq = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local rate, base, maxcd, ttl = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
if kind == ABANDONED then
  if probe and redis.call('EXISTS', key) == 1 then redis.call('HSET', key, 'probe', '0') end
  return 0
end
local h = redis.call('HMGET', key, 'until', 'trips', 'ws', 'req', 'fail')
local untilv, trips = tonumber(h[1] or '0'), tonumber(h[2] or '0')
local ws, req, fail = tonumber(h[3] or ARGV[1]), tonumber(h[4] or '0'), tonumber(h[5] or '0')
local function fmt(n) return string.format('%d', n) end
local function extend(t, cause)
  if t > untilv then
    untilv = t
    redis.call('HSET', key, 'until', fmt(t), 'cause', fmt(cause))
  end
end
local function trip()
  local d = base
  for i = 1, trips do
    if d >= maxcd then break end
    d = d * 2
  end
  if d > maxcd then d = maxcd end
  extend(now + d, FAILURE)
  redis.call('HSET', key, 'trips', fmt(trips + 1), 'ws', fmt(now), 'req', '0', 'fail', '0', 'probe', '0')
end
local function count(failed)
  if now - ws >= window then ws, req, fail = now, 0, 0 end
  req = req + 1
  if failed then fail = fail + 1 end
  redis.call('HSET', key, 'ws', fmt(ws), 'req', fmt(req), 'fail', fmt(fail))
end
if kind == SUCCESS then
  if probe then
    redis.call('DEL', key)
    redis.call('HSET', key, 'ws', fmt(now), 'req', '0', 'fail', '0')
  elseif untilv == 0 then
    count(false)
  end
elseif kind == FAILURE then
  if probe then
    trip()
  elseif untilv == 0 then
    count(true)
    if req >= minreq and fail >= rate * req then trip() end
  end
else
  extend(now + cooldown, kind)
  redis.call('HSET', key, 'probe', '0')
end
redis.call('PEXPIRE', key, ttl)
return 0
`)

// Acquire implements [relay.Health].
func (h *Health) Acquire(ctx context.Context, target string, now time.Time) (relay.Admission, error) {
	res, err := acquireScript.Run(ctx, h.client, []string{h.key(target)},
		now.UnixMilli(), h.policy.ProbeTimeout.Milliseconds()).Int64Slice()
	if err != nil {
		return relay.Admission{}, fmt.Errorf("redisstore: health acquire: %w", err)
	}
	if len(res) != 4 {
		return relay.Admission{}, fmt.Errorf("redisstore: health acquire: %d values", len(res))
	}
	a := relay.Admission{OK: res[0] == 1, Probe: res[1] == 1, Cause: relay.OutcomeKind(res[3])}
	if res[2] != 0 {
		a.Until = time.UnixMilli(res[2])
	}
	return a, nil
}

// Report implements [relay.Health].
func (h *Health) Report(ctx context.Context, target string, now time.Time, o relay.Outcome) error {
	p := h.policy
	probe := "0"
	if o.Probe {
		probe = "1"
	}
	ttl := 2 * max(p.Window, p.Max)
	err := reportScript.Run(ctx, h.client, []string{h.key(target)},
		now.UnixMilli(), int(o.Kind), probe, p.Cooldown(o).Milliseconds(), p.Window.Milliseconds(), p.MinRequests,
		strconv.FormatFloat(p.FailureRate, 'g', -1, 64), p.Base.Milliseconds(), p.Max.Milliseconds(), ttl.Milliseconds()).Err()
	if err != nil && err != redis.Nil {
		return fmt.Errorf("redisstore: health report: %w", err)
	}
	return nil
}

// hashTagSafe keeps a target name or a client key from ending the {hash
// tag} early.
var hashTagSafe = strings.NewReplacer("{", "(", "}", ")")

func (h *Health) key(target string) string { return h.prefix + "{" + hashTagSafe.Replace(target) + "}" }
