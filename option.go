package oaicompat

import (
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/oaicompat/oaicompat/responses"
)

// An [Option] configures a [Handler]. Each With… function documents its default.
type Option func(*config)

type config struct {
	basePath       string
	maxBytes       int64
	logger         *slog.Logger
	ids            func(prefix string) string
	now            func() time.Time
	keepAlive      time.Duration
	writeTimeout   time.Duration
	readTimeout    time.Duration
	reasoningField string
	anyModel       bool
	models         []Model
	store          responses.Store                // nil: Responses are not kept
	owner          func(*http.Request) string     // nil: CallInfo.KeyID
	azure          func(deployment string) string // nil: no Azure routes

	noOutputChecks   bool
	streamCheckAtEnd bool
	repair           RepairFunc
}

func defaultConfig() config {
	return config{
		basePath:       "/v1",
		maxBytes:       32 << 20,
		logger:         slog.Default(),
		ids:            randomID,
		now:            time.Now,
		keepAlive:      15 * time.Second,
		writeTimeout:   30 * time.Second,
		readTimeout:    60 * time.Second,
		reasoningField: "reasoning_content",
		store:          responses.NewMemoryStore(responses.Limits{}),
	}
}

// WithBasePath sets the path prefix of every route. Default "/v1". Use ""
// when a router or http.StripPrefix already removed the prefix.
func WithBasePath(p string) Option {
	return func(c *config) { c.basePath = strings.TrimSuffix(p, "/") }
}

// WithMaxRequestBytes bounds request bodies; a larger body answers 413 in
// the OpenAI envelope. Default 32 MiB.
func WithMaxRequestBytes(n int64) Option { return func(c *config) { c.maxBytes = n } }

// WithLogger sets where backend panics and server errors are logged.
// Default slog.Default().
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithIDGenerator sets how response and tool-call ids are made; it is called
// with the prefix ("chatcmpl-", "call_", ...). Default randomID. Deterministic
// tests pass a counter.
func WithIDGenerator(f func(prefix string) string) Option { return func(c *config) { c.ids = f } }

// WithClock sets the clock behind the created timestamps. Default time.Now.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithKeepAlive sets how long a stream may stay silent before a ": ping"
// comment is sent. Default 15s; 0 disables keep-alives. A keep-alive sent
// before the first event commits the 200 status, so a backend error after it
// is reported in-band.
func WithKeepAlive(d time.Duration) Option { return func(c *config) { c.keepAlive = d } }

// WithWriteTimeout bounds each write of a stream: a client that stops
// reading for this long makes the write fail, which cancels the backend's
// context (its next Write returns an error). Default 30s; 0 removes the
// bound. It is set through http.ResponseController, so it needs a
// ResponseWriter that supports SetWriteDeadline (net/http's does, and so
// does every wrapper that implements Unwrap); use it instead of
// http.Server.WriteTimeout, which would cut long streams.
func WithWriteTimeout(d time.Duration) Option { return func(c *config) { c.writeTimeout = d } }

// WithReadTimeout bounds reading a request's body: a client that has not
// sent its whole body by then gets 408 and its connection is closed.
// Default 60s; 0 removes the bound. A deadline on the request's context
// (middleware.Timeout sets one) bounds the body too when it is earlier.
// Like [WithWriteTimeout] it is set through http.ResponseController, per
// request, and lifted once the body is read: use it (with [NewServer])
// instead of http.Server.ReadTimeout, which would also end long streams.
func WithReadTimeout(d time.Duration) Option { return func(c *config) { c.readTimeout = d } }

// WithReasoningField names the member of a chat message and of a stream
// chunk's delta that carries the model's reasoning (see
// [ChatWriter.WriteReasoning]). Default "reasoning_content", as vLLM,
// llama.cpp, LiteLLM and DeepSeek send it; some clients read "reasoning".
func WithReasoningField(name string) Option { return func(c *config) { c.reasoningField = name } }

// WithModels sets the models listed by GET /v1/models, and accepted in
// requests (see [WithAnyModel]), when the [Backend] is not a [ModelLister]. A
// model without Created gets the time the handler was made. Default none.
func WithModels(models ...Model) Option { return func(c *config) { c.models = models } }

// WithAnyModel makes the handler pass every model name to the [Backend],
// for relays whose upstreams decide and mocks that play any model. By
// default, when the handler knows its models (the Backend is a [ModelLister],
// or [WithModels] gave some), a request naming another model answers 404
// model_not_found as OpenAI does, on every endpoint and dialect; a handler
// that knows no models accepts any. ListModels is called for each request
// to check it, so a ModelLister should answer from memory.
func WithAnyModel() Option { return func(c *config) { c.anyModel = true } }

// WithoutOutputChecks turns off the output guard: the answer is sent as the
// [Backend] wrote it, whatever response_format, strict tools, tool_choice and
// parallel_tool_calls asked for. It is meant for backends that enforce them
// themselves (a grammar-constrained model, a relay to a server that does).
// Requests are still validated, schemas included. By default every answer
// is checked and a violation is answered with an error, never sent as a
// success (see [Violation]).
func WithoutOutputChecks() Option { return func(c *config) { c.noOutputChecks = true } }

// WithStreamCheckAtEnd makes streams flow without delay and be checked as
// they go: a violation ends the stream with an in-band error after the
// invalid part was sent. By default the parts a rule can only judge once
// complete (content under a JSON response_format, a strict tool's
// arguments) are held back until they pass, so invalid output never reaches
// the client. Non-streamed answers are always checked before anything is
// sent.
func WithStreamCheckAtEnd() Option { return func(c *config) { c.streamCheckAtEnd = true } }

// WithOutputRepair sets a hook called for each [Violation] before the handler
// answers with an error: it may return replacement content or arguments
// (checked again), for example from asking the model once more, or an error
// to answer instead. See [RepairFunc]. Default none.
func WithOutputRepair(f RepairFunc) Option { return func(c *config) { c.repair = f } }

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomID returns prefix followed by 24 random base62 characters (about 142
// bits), the default id generator.
func randomID(prefix string) string {
	var b strings.Builder // its String costs no copy
	b.Grow(len(prefix) + 24)
	b.WriteString(prefix)
	for n := 24; n > 0; {
		r := rand.Uint64()
		for j := 0; j < 10 && n > 0; j++ {
			b.WriteByte(idAlphabet[r%62])
			r /= 62
			n--
		}
	}
	return b.String()
}

// WithResponseStore sets where Responses are kept for
// GET/DELETE /v1/responses/{id}, .../input_items, previous_response_id and
// item_reference input items. Default: a [responses.MemoryStore] with the
// default [responses.Limits] (256 MiB, each owner guaranteed 1/16 of it,
// responses up to 8 MiB, kept for one hour), so that the SDKs' default
// store:true and multi-turn conversations work out of the box on one
// instance. Pass a shared store for several replicas (the Redis one in
// github.com/oaicompat/oaicompat/redisstore), or nil to keep nothing: the
// retrieval routes then answer 404 and previous_response_id a 400.
//
// A response the store refuses (larger than its limit, or no room left
// without evicting another owner's share) is answered normally with
// "store": false in its final Response object (the body, or the terminal
// event of a stream), and logged at level Warn ("oaicompat: response not
// stored"). A store that fails (Redis down or slow) makes the routes that
// read it answer 503 with Retry-After: 1.
func WithResponseStore(s responses.Store) Option { return func(c *config) { c.store = s } }

// WithOwner sets how the owner of a request's stored responses is derived:
// responses one owner stored are, to every other owner, unknown ids (GET,
// DELETE, input_items, previous_response_id and item_reference all answer
// as for an id that does not exist). Default: the authenticated key's id,
// [CallInfo.KeyID], which middleware.Auth sets; requests without one share
// the anonymous owner "". Use it when the host authenticates by its own
// means, or when a gateway in front names the tenant in a header:
//
//	oaicompat.WithOwner(func(r *http.Request) string { return r.Header.Get("X-Tenant") })
//
// (only when clients cannot set that header themselves).
func WithOwner(f func(*http.Request) string) Option { return func(c *config) { c.owner = f } }

// WithAzure makes the [Handler] also answer the Azure OpenAI URL shapes, so
// that code written against Azure (the AzureOpenAI clients of the official
// SDKs, azure.WithEndpoint in openai-go) works unchanged:
//
//	POST /openai/deployments/{deployment}/chat/completions?api-version=...
//	POST /openai/deployments/{deployment}/completions?api-version=...
//	POST /openai/deployments/{deployment}/embeddings?api-version=...
//	POST /openai/deployments/{deployment}/images/generations?api-version=...
//	     /openai/{responses,models,...}?api-version=...   every route of /v1
//	     /openai/v1/...                                   every route of /v1, api-version optional
//
// On the deployment paths the model is the deployment's, whatever the body
// says: deploymentModel maps a deployment name to a model (nil uses the
// deployment name as the model); an empty result answers 404
// DeploymentNotFound, as Azure does. The classic /openai/... paths need an
// api-version query parameter (any value); without one they answer 404, as
// Azure does. The /openai/v1/ paths, like Azure's v1 API, do not.
//
// Authentication (Azure's api-key header) is the auth middleware's job;
// these routes pass every header through.
func WithAzure(deploymentModel func(deployment string) string) Option {
	if deploymentModel == nil {
		deploymentModel = func(d string) string { return d }
	}
	return func(c *config) { c.azure = deploymentModel }
}
