package oaicompat

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
)

// Handler serves the OpenAI HTTP API from a Backend. It routes with its own
// http.ServeMux (method and path patterns), so it can be mounted as is on
// any router, under http.StripPrefix, or through echo.WrapHandler:
//
//	POST {base}/chat/completions     Backend (stream and not)
//	POST {base}/embeddings           Embedder
//	POST {base}/images/generations   ImageGenerator
//	GET  {base}/models               ModelLister or WithModels
//	GET  {base}/models/{model}
//
// {base} is "/v1" unless WithBasePath says otherwise. Any other path under
// {base} answers 404 "Invalid URL (METHOD /path)" and a known path with the
// wrong method 405, both in OpenAI's error envelope. Users who route
// themselves mount the per-endpoint handlers (ChatCompletions, Embeddings,
// ...) instead.
type Handler struct {
	backend Backend
	cfg     config
	mux     *http.ServeMux
}

// NewHandler returns a Handler serving backend.
func NewHandler(backend Backend, opts ...Option) *Handler {
	h := &Handler{backend: backend, cfg: defaultConfig(), mux: http.NewServeMux()}
	for _, o := range opts {
		o(&h.cfg)
	}
	h.route("POST", "/chat/completions", http.HandlerFunc(h.serveChat))
	h.route("POST", "/embeddings", http.HandlerFunc(h.serveEmbeddings))
	h.route("POST", "/images/generations", http.HandlerFunc(h.serveImages))
	h.route("GET", "/models", http.HandlerFunc(h.serveListModels))
	h.route("GET", "/models/{model...}", http.HandlerFunc(h.serveGetModel))
	h.mux.Handle(h.cfg.basePath+"/", h.recover(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, invalidURL(r))
	})))
	return h
}

// route registers method+path, and the same path with any other method as 405.
func (h *Handler) route(method, path string, handler http.Handler) {
	p := h.cfg.basePath + path
	h.mux.Handle(method+" "+p, h.recover(handler))
	h.mux.Handle(p, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", method)
		WriteError(w, NewError(http.StatusMethodNotAllowed, TypeInvalidRequest, "method_not_allowed", "",
			fmt.Sprintf("Method %s not allowed for %s; use %s.", r.Method, r.URL.Path, method)))
	}))
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// ChatCompletions returns the handler of POST /v1/chat/completions alone.
func (h *Handler) ChatCompletions() http.Handler { return h.recover(http.HandlerFunc(h.serveChat)) }

// Embeddings returns the handler of POST /v1/embeddings alone.
func (h *Handler) Embeddings() http.Handler { return h.recover(http.HandlerFunc(h.serveEmbeddings)) }

// ImageGenerations returns the handler of POST /v1/images/generations alone.
func (h *Handler) ImageGenerations() http.Handler { return h.recover(http.HandlerFunc(h.serveImages)) }

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
// OpenAI envelope, logged with its stack; the server keeps serving. A panic
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
					WriteError(pw, genericServerError)
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

// fail answers err before any output: nothing for a cancelled request, the
// error envelope otherwise. Backend panics are logged.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var p errPanic
	if errors.As(err, &p) {
		h.logPanic(r, p.v, p.stack)
	}
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return
	}
	e := AsError(err)
	noteError(r.Context(), e)
	WriteError(w, e)
}

// checkModel answers 404 for an unlisted model under WithRejectUnknownModels.
func (h *Handler) checkModel(ctx context.Context, model string) error {
	if !h.cfg.rejectUnknown {
		return nil
	}
	models, err := h.models(ctx)
	if err != nil {
		return err
	}
	for _, m := range models {
		if m.ID == model {
			return nil
		}
	}
	return ModelNotFound(model)
}

// decode reads, decodes and validates a request body into req.
func (h *Handler) decode(w http.ResponseWriter, r *http.Request, req request) error {
	body, err := readBody(w, r, h.cfg.maxBytes)
	if err != nil {
		return requestError(err)
	}
	extra, err := decodeRequest(body, req)
	if err != nil {
		return err
	}
	req.setRaw(body, extra)
	if err := req.Validate(); err != nil {
		return err
	}
	return h.checkModel(r.Context(), req.model())
}

// request is implemented by the request types.
type request interface {
	Validate() error
	setRaw(body []byte, extra map[string]jsonRaw)
	model() string
}

func (r *ChatRequest) setRaw(b []byte, e map[string]jsonRaw)      { r.Raw, r.Extra = b, e }
func (r *EmbeddingRequest) setRaw(b []byte, e map[string]jsonRaw) { r.Raw, r.Extra = b, e }
func (r *ImageRequest) setRaw(b []byte, e map[string]jsonRaw)     { r.Raw, r.Extra = b, e }
func (r *ChatRequest) model() string                              { return r.Model }
func (r *EmbeddingRequest) model() string                         { return r.Model }
func (r *ImageRequest) model() string                             { return r.Model }

// lastSegment returns the part of p after its last "/" (a fallback for
// routers that set no path values).
func lastSegment(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }
