package oaicompat

import (
	"context"
	"net/http"
)

// Backend is what a user of this package implements: the model, rules
// engine, relay or mock that answers chat requests. It is the only required
// method; embeddings, images and model listing are optional interfaces
// ([Embedder], [ImageGenerator], [ModelLister]) that the handler discovers by type
// assertion, the way net/http discovers http.Flusher.
//
// Chat answers one request by writing deltas to w: text, refusals, tool-call
// fragments, a finish reason and usage. The same method serves streamed and
// non-streamed requests: the handler turns the deltas into SSE chunks or
// into one chat.completion. A backend that has the whole answer at once
// writes it in one call. Returning nil finishes every open choice with
// "stop" (or "tool_calls" when it called tools).
//
// ctx is cancelled as soon as the client disconnects, before the first token
// too; long-running backends must watch it. A returned *[Error] reaches the
// client as is; context.DeadlineExceeded becomes a 504 timeout, any other
// error a generic 500 (logged with its cause); context.Canceled
// writes nothing. When n>1 the handler calls Chat once per choice,
// concurrently, each with its own w (see w.Index); implement [MultiChoice] to
// produce all choices in one call instead. req is shared and read-only.
type Backend interface {
	Chat(ctx context.Context, req *ChatRequest, w *ChatWriter) error
}

// MultiChoice is an optional interface for a [Backend] that produces all n
// choices of a request in one call, writing choice i through w.Choice(i).
// When a Backend implements it, the handler calls ChatChoices instead of
// Chat for requests with n>1.
type MultiChoice interface {
	ChatChoices(ctx context.Context, req *ChatRequest, w *ChatWriter) error
}

// Embedder is an optional [Backend] capability behind POST /v1/embeddings.
// It returns one vector per input; the handler encodes them as float arrays
// or base64 as the client asked, and truncates nothing: honouring
// req.Dimensions is the Embedder's job.
type Embedder interface {
	Embed(ctx context.Context, req *EmbeddingRequest) (*EmbeddingResult, error)
}

// ImageGenerator is an optional [Backend] capability behind
// POST /v1/images/generations.
type ImageGenerator interface {
	GenerateImages(ctx context.Context, req *ImageRequest) (*ImageResult, error)
}

// ModelLister is an optional [Backend] capability behind GET /v1/models and
// GET /v1/models/{model}. Without it the handler lists the models given with
// [WithModels] (none by default).
type ModelLister interface {
	ListModels(ctx context.Context) ([]Model, error)
}

// ChatFunc adapts a function to a [Backend].
type ChatFunc func(ctx context.Context, req *ChatRequest, w *ChatWriter) error

// Chat calls f(ctx, req, w).
func (f ChatFunc) Chat(ctx context.Context, req *ChatRequest, w *ChatWriter) error {
	return f(ctx, req, w)
}

// Funcs assembles a [Backend] from functions, for mocks and small programs.
// A nil field is a capability the backend lacks: its endpoint answers 404
// (see [Unsupported]). Its models are the ones given with [WithModels].
type Funcs struct {
	ChatFunc  func(ctx context.Context, req *ChatRequest, w *ChatWriter) error
	EmbedFunc func(ctx context.Context, req *EmbeddingRequest) (*EmbeddingResult, error)
	ImageFunc func(ctx context.Context, req *ImageRequest) (*ImageResult, error)
}

// Chat implements [Backend].
func (f Funcs) Chat(ctx context.Context, req *ChatRequest, w *ChatWriter) error {
	if f.ChatFunc == nil {
		return Unsupported(http.MethodPost, "/v1/chat/completions")
	}
	return f.ChatFunc(ctx, req, w)
}

// Embed implements [Embedder].
func (f Funcs) Embed(ctx context.Context, req *EmbeddingRequest) (*EmbeddingResult, error) {
	if f.EmbedFunc == nil {
		return nil, Unsupported(http.MethodPost, "/v1/embeddings")
	}
	return f.EmbedFunc(ctx, req)
}

// GenerateImages implements [ImageGenerator].
func (f Funcs) GenerateImages(ctx context.Context, req *ImageRequest) (*ImageResult, error) {
	if f.ImageFunc == nil {
		return nil, Unsupported(http.MethodPost, "/v1/images/generations")
	}
	return f.ImageFunc(ctx, req)
}
