package middleware

import (
	"context"
	"net/http"

	"github.com/oaicompat/oaicompat"
)

// record is a request's state shared by the middleware of a chain: what
// inner middleware learn about the request and outer middleware report on
// after it returns (context values only flow inwards). Auth fills in the key
// id, RequestID the request id. The first middleware that needs it puts it
// in the context, with the request's [oaicompat.CallInfo], in one step
// (see withRecord); the others share both, and the ResponseWriter wrapper
// that AccessLog and Recovery report from, so a chain costs one context and
// one request copy, not one per middleware.
type record struct {
	keyID     string
	requestID string
	ci        *oaicompat.CallInfo
	rw        responseWriter // lent out by writer
	rwLent    bool
}

// recordCtx is the context node that carries a record: the record lives in
// the node, so both cost one allocation.
type recordCtx struct {
	context.Context
	rec record
}

type recordKey struct{}

func (c *recordCtx) Value(key any) any {
	if key == (recordKey{}) {
		return &c.rec
	}
	return c.Context.Value(key)
}

// withRecord returns r carrying a record and a CallInfo (r itself when it
// already carries both), and the record.
func withRecord(r *http.Request) (*http.Request, *record) {
	ctx := r.Context()
	if rec := recordFrom(ctx); rec != nil {
		return r, rec // contextWithRecord put both
	}
	ctx, rec := contextWithRecord(ctx)
	return r.WithContext(ctx), rec
}

// contextWithRecord returns ctx carrying a record and a CallInfo (the ones
// there, if any).
func contextWithRecord(ctx context.Context) (context.Context, *record) {
	rec := recordFrom(ctx)
	if rec == nil {
		c := &recordCtx{Context: ctx}
		ctx, rec = c, &c.rec
	}
	ctx, rec.ci = oaicompat.NewCallInfoContext(ctx)
	return ctx, rec
}

func recordFrom(ctx context.Context) *record {
	rec, _ := ctx.Value(recordKey{}).(*record)
	return rec
}

// writer returns the responseWriter a middleware reports from: w itself
// when an outer middleware already wrapped it, else the record's own
// (once), else a new one.
func (rec *record) writer(w http.ResponseWriter) *responseWriter {
	if rw, ok := w.(*responseWriter); ok {
		return rw
	}
	if !rec.rwLent {
		rec.rwLent = true
		rec.rw = responseWriter{ResponseWriter: w}
		return &rec.rw
	}
	return newResponseWriter(w)
}

// KeyIDFromContext returns the id of the API key that authenticated the
// request (see Auth and ContextWithKeyID), or "" when none did. Backends
// read it from the context they are given.
func KeyIDFromContext(ctx context.Context) string {
	if rec := recordFrom(ctx); rec != nil {
		return rec.keyID
	}
	return ""
}

// ContextWithKeyID returns ctx carrying id as the authenticated key id, for
// servers that authenticate by other means but want RateLimit, AccessLog and
// backends to see an identity.
//
// The id is also recorded as [oaicompat.CallInfo.KeyID] (a CallInfo is
// created when ctx has none): the handler uses it as the owner of the
// responses it stores.
func ContextWithKeyID(ctx context.Context, id string) context.Context {
	ctx, rec := contextWithRecord(ctx)
	rec.keyID = id
	rec.ci.KeyID = id
	return ctx
}

// RequestIDFromContext returns the request id RequestID assigned, or "".
func RequestIDFromContext(ctx context.Context) string {
	if rec := recordFrom(ctx); rec != nil {
		return rec.requestID
	}
	return ""
}
