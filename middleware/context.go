package middleware

import (
	"context"

	"github.com/oaicompat/oaicompat"
)

// record is what inner middleware learn about a request and outer
// middleware report on after it returns (context values only flow inwards):
// Auth fills in the key id, RequestID the request id. The first middleware
// that needs one puts it in the context; the others share it.
type record struct {
	keyID     string
	requestID string
}

type recordKey struct{}

// withRecord returns ctx carrying a record (the one already there, if any).
func withRecord(ctx context.Context) (context.Context, *record) {
	if rec, ok := ctx.Value(recordKey{}).(*record); ok {
		return ctx, rec
	}
	rec := &record{}
	return context.WithValue(ctx, recordKey{}, rec), rec
}

func recordFrom(ctx context.Context) *record {
	rec, _ := ctx.Value(recordKey{}).(*record)
	return rec
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
	ctx, rec := withRecord(ctx)
	rec.keyID = id
	ctx, ci := oaicompat.NewCallInfoContext(ctx)
	ci.KeyID = id
	return ctx
}

// RequestIDFromContext returns the request id RequestID assigned, or "".
func RequestIDFromContext(ctx context.Context) string {
	if rec := recordFrom(ctx); rec != nil {
		return rec.requestID
	}
	return ""
}
