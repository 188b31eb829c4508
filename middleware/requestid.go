package middleware

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// HeaderRequestID is the header a request id travels in, both ways. The
// OpenAI SDKs read it from every response into their errors (request_id,
// RequestID), so a user's bug report names the request.
const HeaderRequestID = "X-Request-Id"

// A RequestIDOption configures RequestID.
type RequestIDOption func(*requestIDConfig)

type requestIDConfig struct {
	generate func() string
}

// WithRequestIDGenerator sets how new request ids are made. Default
// NewRequestID ("req_" and 32 hex digits, OpenAI's shape).
func WithRequestIDGenerator(f func() string) RequestIDOption {
	return func(c *requestIDConfig) { c.generate = f }
}

// RequestID gives every request an id: the incoming X-Request-Id when it is
// a plausible id (1 to 128 visible ASCII characters; a proxy in front
// assigned it), else a new one. The id is sent back as x-request-id on every
// response, errors included, set on the request's own header for code that
// reads headers, and available to the rest of the chain through
// RequestIDFromContext.
func RequestID(opts ...RequestIDOption) func(http.Handler) http.Handler {
	cfg := requestIDConfig{generate: NewRequestID}
	for _, o := range opts {
		o(&cfg)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get(HeaderRequestID)
			// one slice for the request's header and the response's
			vals := make([]string, 2)
			if !validRequestID(id) {
				id = cfg.generate()
				vals[0] = id
				r.Header[HeaderRequestID] = vals[0:1:1]
			}
			vals[1] = id
			w.Header()[HeaderRequestID] = vals[1:2:2]
			r, rec := withRecord(r)
			rec.requestID = id
			next.ServeHTTP(w, r)
		})
	}
}

// NewRequestID returns "req_" followed by 32 random hex digits, the shape
// of OpenAI's request ids.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	out := make([]byte, 4+32)
	copy(out, "req_")
	hex.Encode(out[4:], b[:])
	return string(out)
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] >= 0x7f {
			return false
		}
	}
	return true
}
