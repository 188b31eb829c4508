package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/oaicompat/oaicompat/responses"
)

// ResponseStore is a [responses.Store] in Redis: every replica sharing the
// Redis sees the responses any of them stored, so GET, DELETE, input_items,
// previous_response_id and item_reference work wherever the load balancer
// sends a request:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379", ContextTimeoutEnabled: true, MaxRetries: -1, DialerRetries: 1})
//	h := oaicompat.NewHandler(backend, oaicompat.WithResponseStore(redisstore.NewResponseStore(rdb, redisstore.ResponseStoreConfig{})))
//
// # Keys
//
// The keys of an owner share a hash tag made from a digest of the owner
// (the owner itself, a key id or a tenant name, never appears in Redis):
// prefix + "{" + digest + "}:" + "r:" + response id (the response's JSON,
// see [responses.Stored]), "i:" + item id (the id of the response holding
// that item, for item_reference), and the owner's bookkeeping ("z", the
// responses by time stored; "meta", their sizes and item ids; "bytes", their
// total). Another owner's id is thus a key that does not exist, like an
// unknown id; and the store works on Redis Cluster, an owner per slot.
//
// # Limits
//
// Every key expires [responses.Limits].MaxAge after it was written (one
// hour by default). Each owner holds at most its share,
// [responses.Limits].OwnerBytes (MaxBytes/16, 16 MiB, by default): its
// writes evict its own oldest responses first and never another owner's. A
// response larger than MaxResponseBytes (8 MiB by default) is refused with
// [responses.ErrTooLarge]. MaxBytes is not enforced across owners, which
// would need one key every write goes through: bound Redis itself with
// maxmemory (every key has a TTL, so maxmemory-policy volatile-ttl suits).
// Each Put is one Lua script run, atomic on the server: it expires the
// owner's old responses, makes room, and writes the response, its item
// index and its bookkeeping together. Time comes from the Redis server
// (TIME), so replicas need not agree on it.
//
// # Failures
//
// Every call has a deadline ([ResponseStoreConfig].Timeout, one second by
// default); a Redis that is down, frozen or slow makes the call fail at it,
// and the handler answers 503 with Retry-After (a new response is still
// answered, with "store": false). The go-redis pool reconnects by itself
// when Redis is back. The client must honour context deadlines on the
// socket (redis.Options.ContextTimeoutEnabled) and should not retry
// (MaxRetries -1, DialerRetries 1): NewResponseStore panics for a *redis.Client or
// *redis.ClusterClient that ignores deadlines.
type ResponseStore struct {
	client  redis.Scripter
	prefix  string
	lim     responses.Limits
	timeout time.Duration
}

// ResponseStoreConfig configures a [ResponseStore]; a zero field takes its
// default.
type ResponseStoreConfig struct {
	// KeyPrefix starts every key. Default "oaicompat:responses:".
	KeyPrefix string
	// Limits bound what each owner keeps (see [ResponseStore]); zero fields
	// take the defaults of [responses.Limits].
	Limits responses.Limits
	// Timeout is the deadline of each call to Redis. Default one second.
	Timeout time.Duration
}

// NewResponseStore returns a ResponseStore using client (a *redis.Client,
// *redis.ClusterClient, *redis.Ring or any other redis.Scripter). It panics
// when client is a *redis.Client or *redis.ClusterClient whose options do
// not enable ContextTimeoutEnabled: such a client waits for a frozen Redis
// whatever the deadline.
func NewResponseStore(client redis.Scripter, cfg ResponseStoreConfig) *ResponseStore {
	if !deadlineAware(client) {
		panic("redisstore: the go-redis client ignores context deadlines (Options.ContextTimeoutEnabled is false), " +
			"so a frozen Redis would stall every request; set ContextTimeoutEnabled: true, MaxRetries: -1 and DialerRetries: 1")
	}
	if cfg.KeyPrefix == "" {
		cfg.KeyPrefix = "oaicompat:responses:"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Second
	}
	return &ResponseStore{client: client, prefix: cfg.KeyPrefix, lim: cfg.Limits.WithDefaults(), timeout: cfg.Timeout}
}

// deadlineAware reports whether client honours context deadlines, as far
// as it can be told.
func deadlineAware(client redis.Scripter) bool {
	switch c := client.(type) {
	case *redis.Client:
		return c.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		return c.Options().ContextTimeoutEnabled
	}
	return true
}

// Bookkeeping charged besides a response's JSON: its keys, its entries in
// the owner's sorted set and hash, and each item id's key.
const (
	entryOverhead = 256
	itemOverhead  = 128
)

// base returns the start of owner's keys: prefix{digest}:.
func (s *ResponseStore) base(owner string) string {
	sum := sha256.Sum256([]byte(owner))
	return s.prefix + "{" + hex.EncodeToString(sum[:16]) + "}:"
}

// bookkeeping returns the owner's keys that a write or delete changes.
func bookkeeping(base string) []string { return []string{base + "z", base + "meta", base + "bytes"} }

// forgetLua is the preamble of the scripts that write: KEYS[1..3] are the
// owner's bookkeeping keys, ARGV[1] the base of its keys. forget(id) removes
// a response, its item index entries and its bookkeeping.
const forgetLua = `
local z, meta, bytes, base = KEYS[1], KEYS[2], KEYS[3], ARGV[1]
local function forget(id)
  local m = redis.call('HGET', meta, id)
  if m then
    local f = cjson.decode(m)
    redis.call('DECRBY', bytes, f[1])
    for i = 2, #f do
      local key = base .. 'i:' .. f[i]
      if redis.call('GET', key) == id then redis.call('DEL', key) end
    end
    redis.call('HDEL', meta, id)
  end
  redis.call('ZREM', z, id)
  redis.call('DEL', base .. 'r:' .. id)
end
`

// putScript stores a response. KEYS[4]: its key; KEYS[5..]: its item keys.
// ARGV[2]: id; [3]: the JSON; [4]: its bookkeeping [cost, item ids...];
// [5]: cost; [6]: the owner's share; [7]: max age in ms (0: none). Returns 1,
// or 0 when the response cannot fit the share.
var putScript = redis.NewScript(forgetLua + `
local id, cost, share, age = ARGV[2], tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if age > 0 then
  for _, old in ipairs(redis.call('ZRANGEBYSCORE', z, '-inf', now - age)) do forget(old) end
end
if redis.call('ZSCORE', z, id) then forget(id) end
while tonumber(redis.call('GET', bytes) or '0') + cost > share do
  local oldest = redis.call('ZRANGE', z, 0, 0)[1]
  if not oldest then return 0 end
  forget(oldest)
end
for i = 4, #KEYS do
  local v = id
  if i == 4 then v = ARGV[3] end
  if age > 0 then redis.call('SET', KEYS[i], v, 'PX', age) else redis.call('SET', KEYS[i], v) end
end
redis.call('HSET', meta, id, ARGV[4])
redis.call('ZADD', z, now, id)
redis.call('INCRBY', bytes, cost)
if age > 0 then
  for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], age) end
end
return 1
`)

// deleteScript deletes a response. KEYS[4]: its key; ARGV[2]: its id.
// Returns 1, or 0 when there was none.
var deleteScript = redis.NewScript(forgetLua + `
local found = redis.call('EXISTS', KEYS[4])
forget(ARGV[2])
return found
`)

// getScript reads a response. KEYS[1]: its key.
var getScript = redis.NewScript(`return redis.call('GET', KEYS[1])`)

// byItemScript reads the response holding an item. KEYS[1]: the item's
// key; ARGV[1]: the base of the owner's keys.
var byItemScript = redis.NewScript(`
local id = redis.call('GET', KEYS[1])
if not id then return false end
return redis.call('GET', ARGV[1] .. 'r:' .. id)
`)

// Put implements [responses.Store].
func (s *ResponseStore) Put(ctx context.Context, owner string, r *responses.Stored) error {
	if r == nil || r.Response == nil || r.Response.ID == "" {
		return errors.New("redisstore: storing a response without an id")
	}
	data, err := r.MarshalJSON()
	if err != nil {
		return err
	}
	id, items := r.Response.ID, r.ItemIDs()
	cost := int64(len(data)+len(id)) + entryOverhead
	for _, it := range items {
		cost += int64(len(it)) + itemOverhead
	}
	if cost > s.lim.MaxResponseBytes {
		return responses.ErrTooLarge
	}
	meta, err := json.Marshal(append([]any{cost}, toAny(items)...))
	if err != nil {
		return err
	}
	base := s.base(owner)
	keys := append(bookkeeping(base), base+"r:"+id)
	for _, it := range items {
		keys = append(keys, base+"i:"+it)
	}
	age := int64(0)
	if s.lim.MaxAge > 0 {
		age = max(1, s.lim.MaxAge.Milliseconds())
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	ok, err := putScript.Run(ctx, s.client, keys, base, id, data, meta, cost, s.lim.OwnerBytes, age).Int()
	if err != nil {
		return fmt.Errorf("redisstore: storing response %s: %w", id, err)
	}
	if ok == 0 {
		return responses.ErrFull
	}
	return nil
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// Get implements [responses.Store].
func (s *ResponseStore) Get(ctx context.Context, owner, id string) (*responses.Stored, error) {
	return s.load(ctx, getScript, []string{s.base(owner) + "r:" + id})
}

// GetByItem implements [responses.Store].
func (s *ResponseStore) GetByItem(ctx context.Context, owner, itemID string) (*responses.Stored, error) {
	base := s.base(owner)
	return s.load(ctx, byItemScript, []string{base + "i:" + itemID}, base)
}

// load runs a read script and decodes the response it returns.
func (s *ResponseStore) load(ctx context.Context, script *redis.Script, keys []string, args ...any) (*responses.Stored, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	data, err := script.RunRO(ctx, s.client, keys, args...).Text()
	if errors.Is(err, redis.Nil) {
		return nil, responses.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("redisstore: reading a response: %w", err)
	}
	r := new(responses.Stored)
	if err := r.UnmarshalJSON([]byte(data)); err != nil {
		return nil, fmt.Errorf("redisstore: decoding a response: %w", err)
	}
	return r, nil
}

// Delete implements [responses.Store].
func (s *ResponseStore) Delete(ctx context.Context, owner, id string) error {
	base := s.base(owner)
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	found, err := deleteScript.Run(ctx, s.client, append(bookkeeping(base), base+"r:"+id), base, id).Int()
	if err != nil {
		return fmt.Errorf("redisstore: deleting response %s: %w", id, err)
	}
	if found == 0 {
		return responses.ErrNotFound
	}
	return nil
}
