// Package relay puts an oaicompat handler in front of one or more
// OpenAI-compatible upstreams (OpenAI, Azure OpenAI, vLLM, Ollama, LM
// Studio, Groq, Together, Fireworks, another relay...). A [Relay] is an
// [oaicompat.Backend] with every optional capability, so the service around
// it keeps its own auth, limits and logging (the middleware package) and
// gains routing, retries, fallbacks and cooldowns:
//
//	r, err := relay.New([]relay.Upstream{
//		{Name: "vllm", BaseURL: "http://10.0.0.5:8000/v1", MaxConcurrent: 32},
//		{Name: "openai", BaseURL: "https://api.openai.com/v1", Keys: []string{key}, Priority: 1},
//	})
//	http.Handle("/v1/", relay.Headers(oaicompat.NewHandler(r, oaicompat.WithAnyModel(), oaicompat.WithoutOutputChecks())))
//
// WithAnyModel leaves model names to the relay's routing (a name no route
// serves answers 404 model_not_found from the relay), instead of the
// handler matching each request against the merged upstream model list.
//
// # Routing
//
// The client's model name goes through WithAliases, then each model (the
// named one, then its WithFallbacks in order) yields the upstreams serving
// it (Upstream.Models, '*' patterns allowed), lowest Priority first, in
// weighted random order within a Priority. The list is computed once per
// request.
//
// # One error classification
//
// Every failed attempt is classified once, and the class drives retry,
// fallback and cooldown alike:
//
//	connect error, reset, 5xx, 529, 409   retry the upstream with backoff (WithRetries,
//	                                      WithBackoff), then the next candidate; counts
//	                                      toward the upstream's failure rate
//	408, FirstTokenTimeout                same, as a timeout
//	stream cut / malformed before output  same
//	429                                   wait for Retry-After (retry-after-ms,
//	                                      x-ms-retry-after-ms, retry-after seconds or an
//	                                      HTTP date) within WithRetryBudget, or try another
//	                                      key; the key cools down for the hint (capped)
//	401, 402, 403, 429 insufficient_quota the key is dead for the request and cools down
//	                                      for CooldownPolicy.Max; the next key at once;
//	                                      all refused: 502 upstream_credentials_exhausted
//	400, 404, 413, 422, other 4xx         returned at once, unchanged; never cools down
//	client gone                           stop; never counted against an upstream
//
// An upstream's error reaches the client as the upstream sent it (status,
// type, code, param, message; Retry-After kept), never rewritten. Once the
// relay has made an attempt, its error answers carry x-should-retry: false
// so the SDKs' own retries do not multiply the attempts. When nothing could
// be tried (every candidate cooling down or at its concurrency limit) the
// answer is 503 with a Retry-After for the earliest cooldown's end and no
// x-should-retry: a client may come back then.
//
// # Cooldowns
//
// A [Health] keeps per-upstream and per-key state under a
// [CooldownPolicy]: a failure rate over a minimum sample trips an
// upstream, 429 and refused keys cool a key, deadlines only grow and are
// capped, and one half-open probe tests a target before it takes traffic
// again. [NewMemoryHealth] is the default; replicas share state through the
// Redis implementation in module github.com/oaicompat/oaicompat/redisstore,
// each call under a short deadline, with the local state as a fallback.
//
// # Streams and the commit point
//
// An upstream stream is read with a bufio.Reader (no line limit below
// WithMaxEventBytes: multi-MB base64 lines pass) and written to the
// ChatWriter delta by delta as it arrives. Before the first delta is
// written (empty start-up events such as the role-only chunk do not count)
// any failure may retry or fall back; after it the stream never switches
// upstream, and a break (cut, silence past IdleTimeout, a malformed chunk,
// an in-band error) ends it with an in-band error and [DONE], never a
// clean end. A keep-alive comment the handler sends while the relay waits
// carries no content, so it does not move the commit point (it does make
// an error before any content in-band rather than an HTTP status).
//
// Under the [Headers] middleware the handler's flushes are coalesced: the
// events one read from the upstream brought reach the client in one flush,
// made before the relay reads from the upstream again, so no event waits
// for the next upstream read. Every event is checked as JSON by a one-pass
// scanner and its members read without reflection.
//
// The relay always asks a streaming upstream for
// stream_options.include_usage and reports the usage with
// ChatWriter.SetUsage; the handler shows the client the usage chunk only
// when it asked, and CallInfo carries the real tokens either way.
//
// # Requests forwarded intact
//
// A chat request goes upstream as the client's own body with only model
// replaced and stream_options set (removed when not streaming), so unknown
// and vendor fields pass byte for byte. Requests the handler translated
// from the Responses API or legacy completions are encoded from their
// fields. Embeddings and images forward the client's body the same way;
// models are merged across upstreams.
//
// # Reasoning and vendor fields
//
// An upstream's reasoning_content (DeepSeek, vLLM, llama.cpp) or reasoning
// (OpenRouter, Ollama) becomes Delta.Reasoning, which the handler writes
// under its WithReasoningField name and as reasoning items in the Responses
// API. Every other member of an upstream delta or message (images, audio,
// citations, ...) is kept in Delta.Extra and written into the client's
// delta or message as it is. Upstream stream ids, created times and system
// fingerprints are replaced by the handler's own.
//
// # Observability
//
// Responses carry [HeaderUpstream], [HeaderAttempts] and [HeaderOverhead]
// (successful ones when the [Headers] middleware is mounted, or another
// [HeaderFunc] given with WithHeaderFunc; error responses always). Each
// attempt is logged with the upstream, status, class and the upstream's
// error type; never bodies or keys.
package relay
