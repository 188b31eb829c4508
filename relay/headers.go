package relay

import (
	"context"
	"net/http"
	"sync"
)

// The response headers a Relay sets on the responses it serves.
const (
	// HeaderUpstream names the upstream that answered (for an error, the
	// upstream of the last attempt).
	HeaderUpstream = "X-Oaicompat-Upstream"
	// HeaderAttempts is the number of upstream requests made, retries and
	// fallbacks included.
	HeaderAttempts = "X-Oaicompat-Attempts"
	// HeaderOverhead is the relay's own time in milliseconds (three
	// decimals): from the Relay being called to the answer being committed
	// (the first delta of a stream; the whole upstream body read and
	// decoded otherwise), minus the time spent waiting on upstreams and
	// sleeping before retries. It includes routing, health checks, queueing
	// for a slot, rewriting the body and decoding the first event; it
	// excludes the handler's own decoding and encoding.
	HeaderOverhead = "X-Oaicompat-Overhead-Ms"
)

// HeaderFunc adds a header to the response of the request ctx belongs to,
// and reports whether it could: false once the response headers went out,
// or when nothing in ctx can carry them. The core oaicompat package has no
// such function yet; [SetHeader] works under the [Headers] middleware, and
// WithHeaderFunc plugs in another.
type HeaderFunc func(ctx context.Context, key, value string) bool

// headerKey is the context key of the headerWriter of a request.
type headerKey struct{}

// SetHeader is the default [HeaderFunc]: it adds the header through the
// [Headers] middleware serving the request, and returns false without it.
func SetHeader(ctx context.Context, key, value string) bool {
	hw, ok := ctx.Value(headerKey{}).(*headerWriter)
	return ok && hw.set(key, value)
}

// Headers is middleware that lets code running inside a request (a Relay,
// through [SetHeader]) add response headers until the response begins.
// The headers are kept aside and merged into the response when its status
// is written, so they never race with the handler's own writes (a
// keep-alive goroutine, say). Mount it around the oaicompat handler:
//
//	http.Handle("/v1/", relay.Headers(oaicompat.NewHandler(r, oaicompat.WithAnyModel())))
func Headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hw := &headerWriter{ResponseWriter: w}
		next.ServeHTTP(hw, r.WithContext(context.WithValue(r.Context(), headerKey{}, hw)))
	})
}

// headerWriter holds headers set from inside the request until the status
// is written. It also coalesces the flushes of a relayed stream: while the
// relay handles what one read from the upstream brought (holdFlushes), the
// handler's flushes are remembered, not done; before the relay reads from
// the upstream again (releaseFlushes) one flush sends them all. So events
// that arrived together leave together, and no event waits for the next
// upstream read. Writes and flushes to the wrapped writer are serialised
// (wmu), since a release may come from another goroutine than a write.
type headerWriter struct {
	http.ResponseWriter
	mu      sync.Mutex
	pending http.Header
	sent    bool
	holding bool // flushes are held
	held    bool // a flush was asked for while holding

	wmu sync.Mutex
}

func (h *headerWriter) set(key, value string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sent {
		return false
	}
	if h.pending == nil {
		h.pending = http.Header{}
	}
	h.pending.Set(key, value)
	return true
}

// begin merges the pending headers into the response, once.
func (h *headerWriter) begin() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sent {
		return
	}
	h.sent = true
	dst := h.ResponseWriter.Header()
	for k, vs := range h.pending {
		if _, ok := dst[k]; !ok { // the handler's own headers win
			dst[k] = vs
		}
	}
}

func (h *headerWriter) WriteHeader(code int) {
	h.begin()
	h.wmu.Lock()
	defer h.wmu.Unlock()
	h.ResponseWriter.WriteHeader(code)
}

func (h *headerWriter) Write(b []byte) (int, error) {
	h.begin()
	h.wmu.Lock()
	defer h.wmu.Unlock()
	return h.ResponseWriter.Write(b)
}

// FlushError flushes through to the wrapped writer, beginning the response;
// while flushes are held it only remembers that one is due.
func (h *headerWriter) FlushError() error {
	h.begin()
	h.mu.Lock()
	if h.holding {
		h.held = true
		h.mu.Unlock()
		return nil
	}
	h.mu.Unlock()
	return h.flush()
}

func (h *headerWriter) flush() error {
	h.wmu.Lock()
	defer h.wmu.Unlock()
	return http.NewResponseController(h.ResponseWriter).Flush()
}

// holdFlushes makes FlushError remember flushes instead of doing them.
func (h *headerWriter) holdFlushes() {
	h.mu.Lock()
	h.holding = true
	h.mu.Unlock()
}

// releaseFlushes ends holdFlushes, doing the flush that was held, if any.
// A failed flush is left to the next write to find. h may be nil.
func (h *headerWriter) releaseFlushes() {
	if h == nil {
		return
	}
	h.mu.Lock()
	held := h.held
	h.holding, h.held = false, false
	h.mu.Unlock()
	if held {
		_ = h.flush()
	}
}

// flushGate returns the headerWriter of the request ctx belongs to, which
// coalesces the flushes of a stream, or nil without the [Headers]
// middleware (every event is then flushed as it is written).
func flushGate(ctx context.Context) *headerWriter {
	hw, _ := ctx.Value(headerKey{}).(*headerWriter)
	return hw
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (h *headerWriter) Unwrap() http.ResponseWriter { return h.ResponseWriter }
