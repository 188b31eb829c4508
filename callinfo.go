package oaicompat

import (
	"context"
	"time"
)

// CallInfo describes one request as the handler served it, for middleware
// that logs, meters or rate-limits: a middleware puts an empty CallInfo in
// the request context with NewCallInfoContext, calls the handler, and reads
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
	// Usage is the token usage the backend reported.
	Usage Usage
	// FinishReasons holds one finish reason per choice.
	FinishReasons []string
	// FirstOutput is when the first output byte (or event) was written.
	FirstOutput time.Time
	// Err is the error answered, if any.
	Err *Error
}

type callInfoKey struct{}

// NewCallInfoContext returns a context carrying a new CallInfo, and the
// CallInfo. When ctx already carries one, that one is returned, so that
// several middleware share a record.
func NewCallInfoContext(ctx context.Context) (context.Context, *CallInfo) {
	if ci := CallInfoFromContext(ctx); ci != nil {
		return ctx, ci
	}
	ci := &CallInfo{}
	return context.WithValue(ctx, callInfoKey{}, ci), ci
}

// CallInfoFromContext returns the CallInfo in ctx, or nil.
func CallInfoFromContext(ctx context.Context) *CallInfo {
	ci, _ := ctx.Value(callInfoKey{}).(*CallInfo)
	return ci
}

// noteError records the error answered in the request's CallInfo.
func noteError(ctx context.Context, e *Error) {
	if ci := CallInfoFromContext(ctx); ci != nil {
		ci.Err = e
	}
}
