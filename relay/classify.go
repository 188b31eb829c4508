package relay

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// class is the one classification of a failed attempt that drives retry,
// fallback and cooldown alike (see the table in doc.go).
type class uint8

const (
	// classConnect: the request did not reach the upstream or no response
	// came back (refused, DNS, reset before headers). Retry with backoff;
	// counts toward the upstream's cooldown.
	classConnect class = iota + 1
	// classServer: 5xx, 529, 409 or an in-band error before any output.
	// Retry with backoff; counts toward cooldown.
	classServer
	// classTimeout: 408, or no first byte within FirstTokenTimeout, or a
	// silent stream before any output. Retry; counts toward cooldown.
	classTimeout
	// classStream: a stream that broke before any output (cut, malformed).
	// Retry; counts toward cooldown.
	classStream
	// classRateLimit: 429. Retry after Retry-After (or backoff) within the
	// budget, on another key when there is one; cools the key down.
	classRateLimit
	// classAuth: 401, 402, 403, 429 insufficient_quota. The key is dead for
	// the request and cooled down; the next key is tried at once.
	classAuth
	// classFatal: any other 4xx (400, 404, 413, 422, ...). Answered at once,
	// unchanged; never cools anything down.
	classFatal
	// classBusy: the upstream's queue is full or the wait for a slot timed
	// out. The next candidate is tried; nothing is cooled.
	classBusy
	// classGone: the client left; logged, never counted.
	classGone
)

// String names the class in logs.
func (c class) String() string {
	switch c {
	case classConnect:
		return "connect"
	case classServer:
		return "server"
	case classTimeout:
		return "timeout"
	case classStream:
		return "stream"
	case classRateLimit:
		return "rate_limit"
	case classAuth:
		return "auth"
	case classFatal:
		return "client"
	case classBusy:
		return "busy"
	case classGone:
		return "client_gone"
	}
	return "ok"
}

// classifyStatus classifies an upstream error response by its status and
// error type.
func classifyStatus(status int, errType, code string) class {
	switch {
	case status == http.StatusTooManyRequests:
		if errType == "insufficient_quota" || code == "insufficient_quota" {
			return classAuth // a key out of credit does not come back by waiting
		}
		return classRateLimit
	case status == http.StatusUnauthorized, status == http.StatusPaymentRequired, status == http.StatusForbidden:
		return classAuth
	case status == http.StatusRequestTimeout:
		return classTimeout
	case status == http.StatusConflict: // the SDKs retry 409: a transient conflict
		return classServer
	case status >= 500:
		return classServer
	}
	return classFatal
}

// classifyInBand classifies an error an upstream sent inside a 200 stream
// before any output, by its type and code (it has no status).
func classifyInBand(errType, code string) class {
	t := strings.ToLower(errType + " " + code)
	switch {
	case strings.Contains(t, "insufficient_quota"):
		return classAuth
	case strings.Contains(t, "rate_limit"), errType == "requests", errType == "tokens":
		return classRateLimit
	case strings.Contains(t, "invalid_request"), strings.Contains(t, "context_length"),
		strings.Contains(t, "content_filter"), strings.Contains(t, "content_policy"):
		return classFatal
	}
	return classServer // server_error, overloaded_error, api_error, unknown
}

// retryAfter reads an upstream's retry hint the way the OpenAI and
// Anthropic SDKs do: retry-after-ms (or Azure's x-ms-retry-after-ms) in
// milliseconds, else retry-after in seconds (a decimal) or as an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	for _, k := range [...]string{"Retry-After-Ms", "X-Ms-Retry-After-Ms"} {
		if v := h.Get(k); v != "" {
			if ms, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && ms >= 0 && ms < 1e12 {
				return time.Duration(ms * float64(time.Millisecond)), true
			}
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s < 0 || s > 1e9 {
			return 0, false
		}
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// backoff returns the wait before retry n (from 0) of one upstream:
// min(base·2^n, max) times a factor in [0.8, 1.2) drawn from rnd.
func backoff(base, max time.Duration, n int, rnd float64) time.Duration {
	d := base
	for i := 0; i < n && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	return time.Duration(float64(d) * (0.8 + 0.4*rnd))
}
