// Package responses holds the wire types of OpenAI's Responses API
// (POST /v1/responses and the stored-response routes) as an
// [github.com/oaicompat/oaicompat.Handler] serves it: the Request a
// Responder backend receives, the Response object and its output items, and
// the [Store] that keeps responses for GET, DELETE, input_items,
// previous_response_id and item_reference, each private to its owner
// ([MemoryStore] in memory, bounded in bytes; the Redis one is in
// github.com/oaicompat/oaicompat/redisstore).
//
// A chat Backend never sees these types: the handler translates Responses
// requests onto oaicompat.ChatRequest and its answers back. They are for
// backends that speak the Responses API natively (oaicompat.Responder), for
// Store implementations, and for tests.
package responses
