package oaicompat

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
)

// Handler serves the OpenAI HTTP API from a [Backend]. It routes with its own
// http.ServeMux (method and path patterns), so it can be mounted as is on
// any router, under http.StripPrefix, or through echo.WrapHandler:
//
//	POST {base}/chat/completions     Backend (stream and not)
//	POST {base}/responses            Responder, or Backend through translation
//	GET|DELETE {base}/responses/{id} with a responses.Store (the default)
//	GET  {base}/responses/{id}/input_items
//	POST {base}/completions          Backend through translation (legacy)
//	POST {base}/embeddings           Embedder
//	POST {base}/images/generations   ImageGenerator
//	GET  {base}/models               ModelLister or WithModels (OpenAI's or,
//	                                 with anthropic-version, Anthropic's shape)
//	GET  {base}/models/{model}
//	POST {base}/messages             Anthropic Messages: MessageCreator, or
//	                                 Backend through translation
//	POST {base}/messages/count_tokens TokenCounter
//
// {base} is "/v1" unless [WithBasePath] says otherwise; [WithAzure] adds the
// Azure OpenAI URL shapes (of the OpenAI routes). Any other path under
// {base} answers 404 "Invalid URL (METHOD /path)" and a known path with the
// wrong method 405, both in OpenAI's error envelope, except under
// {base}/messages, where every answer (404, 405, 413 included) is in the
// Anthropic envelope with a request-id header, and a query such as
// ?beta=true is ignored. Users who route themselves mount the per-endpoint
// handlers (ChatCompletions, Responses, GetResponse, Embeddings, Messages,
// ...) instead.
type Handler struct {
	backend Backend
	cfg     config
	mux     *http.ServeMux
	created int64 // the Created of models that do not say
}

// NewHandler returns a [Handler] serving backend.
func NewHandler(backend Backend, opts ...Option) *Handler {
	h := &Handler{backend: backend, cfg: defaultConfig(), mux: http.NewServeMux()}
	for _, o := range opts {
		o(&h.cfg)
	}
	h.created = h.cfg.now().Unix()
	h.mount(h.cfg.basePath, nil, append(h.endpoints(), h.messagesEndpoints()...))
	if h.cfg.azure != nil {
		h.mountAzure()
	}
	return h
}

// endpoint is one route of the API, relative to a base path.
type endpoint struct {
	method, path string
	serve        http.Handler
	// envelope answers an error of the route's API before any output, the
	// route's 404 and 405 included; nil is OpenAI's (WriteError).
	envelope func(w http.ResponseWriter, r *http.Request, e *Error)
}

// messagesEndpoints lists the routes of the Anthropic Messages API.
func (h *Handler) messagesEndpoints() []endpoint {
	return []endpoint{
		{"POST", "/messages", h.anthropicRoute(h.serve(func() dialect { return new(messagesDialect) })), h.writeAnthropicError},
		{"POST", "/messages/count_tokens", h.anthropicRoute(h.serve(func() dialect { return new(countTokensDialect) })), h.writeAnthropicError},
	}
}

// writeAnthropicError answers e on a route of the Messages API.
func (h *Handler) writeAnthropicError(w http.ResponseWriter, r *http.Request, e *Error) {
	setRequestID(w, r, h.cfg.ids)
	writeAnthropicError(w, e)
}

// endpoints lists the OpenAI routes every base path serves.
func (h *Handler) endpoints() []endpoint {
	eps := []endpoint{
		{"POST", "/chat/completions", h.serve(func() dialect { return new(chatDialect) }), nil},
		{"POST", "/completions", h.serve(func() dialect { return new(completionsDialect) }), nil},
		{"POST", "/responses", h.serve(func() dialect { return new(responsesDialect) }), nil},
		{"POST", "/embeddings", h.serve(func() dialect { return new(embeddingsDialect) }), nil},
		{"POST", "/images/generations", h.serve(func() dialect { return new(imagesDialect) }), nil},
		{"GET", "/models", http.HandlerFunc(h.serveListModels), nil},
		{"GET", "/models/{model...}", http.HandlerFunc(h.serveGetModel), nil},
	}
	if h.cfg.store != nil {
		eps = append(eps,
			endpoint{"GET", "/responses/{id}", http.HandlerFunc(h.serveGetResponse), nil},
			endpoint{"DELETE", "/responses/{id}", http.HandlerFunc(h.serveDeleteResponse), nil},
			endpoint{"GET", "/responses/{id}/input_items", http.HandlerFunc(h.serveInputItems), nil})
	}
	return eps
}

// mount registers eps under prefix, each wrapped by wrap (when not nil); a
// known path with another method answers 405, any other path under prefix
// 404 "Invalid URL", each in the envelope of the route's API (a route with
// its own envelope also claims the paths below it).
func (h *Handler) mount(prefix string, wrap func(http.Handler) http.Handler, eps []endpoint) {
	if wrap == nil {
		wrap = func(next http.Handler) http.Handler { return next }
	}
	allow := map[string][]string{}
	envelope := map[string]func(http.ResponseWriter, *http.Request, *Error){}
	var paths []string
	for _, ep := range eps {
		if allow[ep.path] == nil {
			paths = append(paths, ep.path)
		}
		allow[ep.path] = append(allow[ep.path], ep.method)
		envelope[ep.path] = ep.envelope
		h.mux.Handle(ep.method+" "+prefix+ep.path, h.recover(wrap(ep.serve)))
	}
	openAI := func(w http.ResponseWriter, _ *http.Request, e *Error) { WriteError(w, e) }
	for _, p := range paths {
		methods, env := strings.Join(allow[p], ", "), envelope[p]
		if env == nil {
			env = openAI
		}
		h.mux.Handle(prefix+p, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", methods)
			env(w, r, &Error{Status: http.StatusMethodNotAllowed, Type: TypeInvalidRequest, Code: "method_not_allowed", Message: fmt.Sprintf("Method %s not allowed for %s; use %s.", r.Method, r.URL.Path, methods)})
		}))
		if envelope[p] != nil && allow[p+"/"] == nil {
			h.mux.Handle(prefix+p+"/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				env(w, r, invalidURL(r))
			}))
		}
	}
	h.mux.Handle(prefix+"/", h.recover(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, invalidURL(r))
	})))
}

// ServeHTTP implements http.Handler. A request under the base path ("/v1")
// is routed at once. One that arrives under a prefix the handler was not
// told about is routed on what follows: the part after the base path
// ("/llm/v1/chat/completions", as a router that mounts without stripping
// passes it), or the whole path when it is itself an endpoint's
// ("/chat/completions", after http.StripPrefix("/llm/v1")). So the handler
// works wherever it is mounted, without [WithBasePath]; a path that matches
// no endpoint either way answers 404 naming where the API is served.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, base := r.URL.Path, h.cfg.basePath
	if base == "" || len(p) > len(base) && p[len(base)] == '/' && p[:len(base)] == base || h.cfg.azure != nil && strings.HasPrefix(p, "/openai/") {
		h.mux.ServeHTTP(w, r)
		return
	}
	h.serveMounted(w, r)
}

// serveMounted serves a request whose path does not begin with the base
// path: one whose router kept its own prefix. It is apart from ServeHTTP so
// that the frame every request keeps on its stack stays small.
func (h *Handler) serveMounted(w http.ResponseWriter, r *http.Request) {
	p, base := r.URL.Path, h.cfg.basePath
	mountedAt, rest := base, p
	if i := strings.Index(p, base+"/"); i > 0 {
		mountedAt, rest = p[:i+len(base)], p[i+len(base):]
	}
	r2 := new(http.Request)
	*r2 = *r
	u := *r.URL
	u.Path, u.RawPath = base+rest, ""
	r2.URL = &u
	if _, pattern := h.mux.Handler(r2); pattern == base+"/" || pattern == "" {
		WriteErrorFor(w, r, &Error{Status: http.StatusNotFound, Type: TypeInvalidRequest, Message: fmt.Sprintf(
			"Invalid URL (%s %s): this server answers the OpenAI API under %s (for example POST %s/chat/completions).",
			r.Method, p, mountedAt, mountedAt)})
		return
	}
	h.mux.ServeHTTP(w, r2)
}

// ChatCompletions returns the handler of POST /v1/chat/completions alone.
func (h *Handler) ChatCompletions() http.Handler {
	return h.recover(h.serve(func() dialect { return new(chatDialect) }))
}

// Responses returns the handler of POST /v1/responses alone.
func (h *Handler) Responses() http.Handler {
	return h.recover(h.serve(func() dialect { return new(responsesDialect) }))
}

// GetResponse returns the handler of GET /v1/responses/{id} alone, for
// users who route themselves. The id is the "id" path value when the router
// sets one, else the last path segment.
func (h *Handler) GetResponse() http.Handler { return h.recover(http.HandlerFunc(h.serveGetResponse)) }

// DeleteResponse returns the handler of DELETE /v1/responses/{id} alone;
// the id is found as by [Handler.GetResponse].
func (h *Handler) DeleteResponse() http.Handler {
	return h.recover(http.HandlerFunc(h.serveDeleteResponse))
}

// ResponseInputItems returns the handler of GET
// /v1/responses/{id}/input_items alone. The id is the "id" path value when
// the router sets one, else the path segment before "/input_items".
func (h *Handler) ResponseInputItems() http.Handler {
	return h.recover(http.HandlerFunc(h.serveInputItems))
}

// Completions returns the handler of POST /v1/completions (legacy) alone.
func (h *Handler) Completions() http.Handler {
	return h.recover(h.serve(func() dialect { return new(completionsDialect) }))
}

// Embeddings returns the handler of POST /v1/embeddings alone.
func (h *Handler) Embeddings() http.Handler {
	return h.recover(h.serve(func() dialect { return new(embeddingsDialect) }))
}

// ImageGenerations returns the handler of POST /v1/images/generations alone.
func (h *Handler) ImageGenerations() http.Handler {
	return h.recover(h.serve(func() dialect { return new(imagesDialect) }))
}

// Messages returns the handler of POST /v1/messages (Anthropic Messages)
// alone: its answers carry a request-id header and its errors are in the
// Anthropic envelope.
func (h *Handler) Messages() http.Handler { return h.recover(h.messagesEndpoints()[0].serve) }

// MessagesCountTokens returns the handler of POST
// /v1/messages/count_tokens alone (see [TokenCounter]).
func (h *Handler) MessagesCountTokens() http.Handler {
	return h.recover(h.messagesEndpoints()[1].serve)
}

// ListModels returns the handler of GET /v1/models alone.
func (h *Handler) ListModels() http.Handler { return h.recover(http.HandlerFunc(h.serveListModels)) }

// GetModel returns the handler of GET /v1/models/{model} alone. The model id
// is the "model" path value when the router sets one, else the last path
// segment.
func (h *Handler) GetModel() http.Handler { return h.recover(http.HandlerFunc(h.serveGetModel)) }

// panicWriter records whether the response has begun, so that a panic can
// still be answered with a JSON error when nothing was written.
type panicWriter struct {
	http.ResponseWriter
	wrote bool
}

func (p *panicWriter) WriteHeader(code int)        { p.wrote = true; p.ResponseWriter.WriteHeader(code) }
func (p *panicWriter) Write(b []byte) (int, error) { p.wrote = true; return p.ResponseWriter.Write(b) }
func (p *panicWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }

// recover turns a panic in next (a backend's, usually) into a 500 in the
// envelope of the request's API (see WriteErrorFor), logged with its stack; the server keeps serving. A panic
// after a stream began is reported in-band by the streaming code itself.
func (h *Handler) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pw := &panicWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				h.logPanic(r, v, debug.Stack())
				if !pw.wrote {
					WriteErrorFor(pw, r, genericServerError)
				}
			}
		}()
		next.ServeHTTP(pw, r)
	})
}

func (h *Handler) logPanic(r *http.Request, v any, stack []byte) {
	h.cfg.logger.Error("oaicompat: backend panic", "method", r.Method, "path", r.URL.Path,
		"panic", fmt.Sprint(v), "stack", string(stack))
}

// errPanic carries a recovered backend panic out of a backend goroutine.
type errPanic struct {
	v     any
	stack []byte
}

func (e errPanic) Error() string { return fmt.Sprintf("backend panic: %v", e.v) }

// call runs f, turning a panic into an errPanic.
func call(f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			err = errPanic{v: v, stack: debug.Stack()}
		}
	}()
	return f()
}

// fail answers err on the routes that are not a dialect's (models, stored
// responses): nothing for a cancelled request, the error envelope otherwise.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	gone := errors.Is(err, context.Canceled) && r.Context().Err() != nil
	e := h.report(r, err, gone)
	if ci := CallInfoFromContext(r.Context()); ci != nil {
		ci.Err = e
	}
	if gone {
		return
	}
	WriteErrorFor(w, r, e)
}

// checkModel answers 404 model_not_found for a model the handler does not
// know, unless [WithAnyModel], or it knows no models at all.
func (h *Handler) checkModel(ctx context.Context, model string) error {
	if h.cfg.anyModel || model == "" { // "": the endpoint's default (images)
		return nil
	}
	models := h.cfg.models
	if ml, ok := h.backend.(ModelLister); ok {
		if err := call(func() (err error) { models, err = ml.ListModels(ctx); return err }); err != nil {
			return err
		}
	}
	if len(models) == 0 {
		return nil
	}
	for i := range models {
		if models[i].ID == model {
			return nil
		}
	}
	return ModelNotFound(model)
}

// modelOverrideKey is the context key of a model named by the URL rather
// than the body (Azure deployments).
type modelOverrideKey struct{}

// lastSegment returns the part of p after its last "/" (a fallback for
// routers that set no path values).
func lastSegment(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }
