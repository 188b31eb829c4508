package oaicompat

import (
	"context"
	"time"
)

// CallInfo describes one request as the handler served it, for middleware
// that logs, meters or rate-limits: a middleware puts an empty CallInfo in
// the request context with [NewCallInfoContext], calls the handler, and reads
// the filled-in record after the handler returns. The handler never changes
// the wire to serve middleware (usage is reported here even when the client
// did not ask for it).
type CallInfo struct {
	// Endpoint is the operation: "chat.completions", "embeddings",
	// "images.generations", "models.list", "models.retrieve" (and, for
	// translating dialects, "responses" or "completions").
	Endpoint string
	// Model is the requested model.
	Model string
	// Stream reports a streamed response.
	Stream bool
	// Usage is the token usage of the answer: what the backend reported,
	// or, when it reported none (it returned early, the client hung up, the
	// stream timed out), an estimate from the request and from what was
	// sent, about four bytes a token (see UsageEstimated). It is filled in
	// the same way for streamed and non-streamed answers.
	Usage Usage
	// UsageEstimated reports that [Usage] is an estimate.
	UsageEstimated bool
	// FinishReasons holds one finish reason per choice.
	FinishReasons []string
	// FirstOutput is when the first output byte (or event) was written.
	FirstOutput time.Time
	// Err is the error answered, if any. For a backend error that is not an
	// *[Error], Err is the generic 500 the client saw and Err.Unwrap() returns
	// the backend's own error, for logs.
	Err *Error

	// KeyID is the id of the API key that authenticated the request, set by
	// an authenticating middleware (middleware.Auth) before the handler
	// runs. The handler uses it as the default owner of what it stores for
	// the request (see WithOwner).
	KeyID string
	// Admit, when a middleware sets it before the handler runs, is called
	// once the request is decoded and validated, before the backend, with
	// the handler's estimate of the tokens the request may use (about one
	// per four bytes of the body, plus the most it may generate). A non-nil
	// error (a 429 *[Error], say) is answered instead of running the backend.
	// A middleware that finds Admit already set (an outer one's) calls that
	// first from its own, and restores it when the request ends
	// (middleware.RateLimit does).
	Admit func(estimatedTokens int) error
}

type callInfoKey struct{}

// NewCallInfoContext returns a context carrying a new [CallInfo], and the
// CallInfo. When ctx already carries one, that one is returned, so that
// several middleware share a record.
func NewCallInfoContext(ctx context.Context) (context.Context, *CallInfo) {
	if ci := CallInfoFromContext(ctx); ci != nil {
		return ctx, ci
	}
	ci := &CallInfo{}
	return context.WithValue(ctx, callInfoKey{}, ci), ci
}

// CallInfoFromContext returns the [CallInfo] in ctx, or nil.
func CallInfoFromContext(ctx context.Context) *CallInfo {
	ci, _ := ctx.Value(callInfoKey{}).(*CallInfo)
	return ci
}
