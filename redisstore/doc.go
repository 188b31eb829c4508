// Package redisstore keeps the shared state of oaicompat servers in Redis,
// so that the replicas of a server agree: rate limits
// ([RateLimitStore], a [github.com/oaicompat/oaicompat/middleware.Store]),
// the relay's cooldowns ([Health], a
// [github.com/oaicompat/oaicompat/relay.Health]) and the stored responses
// of the Responses API ([ResponseStore], a
// [github.com/oaicompat/oaicompat/responses.Store]). Every call has a
// short deadline; given a go-redis client that honours it and does not
// retry (ContextTimeoutEnabled: true, MaxRetries: -1), a Redis that is
// down or frozen costs a request that deadline, never a hang. It is a
// module of its own
// (github.com/oaicompat/oaicompat/redisstore), so that a program that does
// not use Redis never downloads or compiles a Redis client.
package redisstore
