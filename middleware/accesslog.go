package middleware

import (
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"
)

// An AccessLogOption configures AccessLog.
type AccessLogOption func(*accessLogConfig)

type accessLogConfig struct {
	bodies   int
	maxValue int
}

// DefaultMaxLogValue is how many bytes of each value AccessLog logs by
// default; see WithMaxLogValue.
const DefaultMaxLogValue = 512

// WithMaxLogValue caps every value AccessLog logs that comes from the
// client or the backend (method, path, request id, key id, endpoint,
// model, error type and code) at n bytes: a longer value is cut at a
// character boundary and ends with a marker, "…[cut 1048064 bytes]",
// that says how much is missing, so a 1 MiB model name cannot make a 1 MiB
// log line. n <= 0 removes the cap. Default DefaultMaxLogValue (512). The
// bodies of WithBodies have their own bound.
func WithMaxLogValue(n int) AccessLogOption { return func(c *accessLogConfig) { c.maxValue = n } }

// WithBodies also logs the first max bytes of the request body ("prompt", as
// far as the handlers inside read it) and of the response body ("output",
// the raw SSE for streams). Prompts and outputs may hold personal data:
// enable this only where such logs are allowed. Default off.
func WithBodies(max int) AccessLogOption { return func(c *accessLogConfig) { c.bodies = max } }

// AccessLog logs one line per request to logger (slog.Default() when nil)
// when the request ends: method, path, status, latency and bytes; the
// request id and key id when RequestID and Auth set them; for OpenAI calls
// the endpoint, model, stream, time to first output ("ttft"), tokens in and
// out, and the error type and code answered (in-band stream errors
// included). It never logs the API key, and logs prompts and outputs only
// with WithBodies. Every value that comes from the client or the backend is
// capped (WithMaxLogValue). Requests are logged at Info, client errors at
// Warn and server errors at Error.
func AccessLog(logger *slog.Logger, opts ...AccessLogOption) func(http.Handler) http.Handler {
	if logger == nil {
		logger = slog.Default()
	}
	cfg := accessLogConfig{maxValue: DefaultMaxLogValue}
	for _, o := range opts {
		o(&cfg)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			r, rec := withRecord(r)
			ci := rec.ci
			rw := rec.writer(w)
			var prompt *captureReader
			if cfg.bodies > 0 && r.Body != nil {
				prompt = &captureReader{ReadCloser: r.Body, keep: cfg.bodies}
				r2 := *r
				r2.Body = prompt
				r = &r2
			}
			rw.keep = cfg.bodies
			next.ServeHTTP(rw, r)
			latency := time.Since(start)

			attrs := make([]slog.Attr, 0, 18)
			attrs = append(attrs,
				slog.String("method", cfg.capped(r.Method)),
				slog.String("path", cfg.capped(r.URL.Path)),
				slog.Int("status", rw.Status()),
				slog.Duration("latency", latency),
				slog.Int64("bytes", rw.size))
			if rec.requestID != "" {
				attrs = append(attrs, slog.String("request_id", cfg.capped(rec.requestID)))
			}
			if rec.keyID != "" {
				attrs = append(attrs, slog.String("key_id", cfg.capped(rec.keyID)))
			}
			if ci.Endpoint != "" {
				attrs = append(attrs,
					slog.String("endpoint", cfg.capped(ci.Endpoint)),
					slog.String("model", cfg.capped(ci.Model)),
					slog.Bool("stream", ci.Stream),
					slog.Int("tokens_in", ci.Usage.PromptTokens),
					slog.Int("tokens_out", ci.Usage.CompletionTokens))
				if ttft := ci.FirstOutput.Sub(start); !ci.FirstOutput.IsZero() && ttft >= 0 {
					attrs = append(attrs, slog.Duration("ttft", ttft))
				}
			}
			level := slog.LevelInfo
			if e := ci.Err; e != nil {
				attrs = append(attrs, slog.String("error_type", cfg.capped(e.Type)), slog.String("error_code", cfg.capped(e.Code)))
				level = max(level, levelFor(e.Status))
			}
			level = max(level, levelFor(rw.Status()))
			if prompt != nil {
				attrs = append(attrs, slog.String("prompt", string(prompt.data)), slog.String("output", string(rw.capture)))
			}
			logger.LogAttrs(r.Context(), level, "request", attrs...)
		})
	}
}

// capped returns s cut to the configured size, with a marker when cut.
func (c *accessLogConfig) capped(s string) string {
	if c.maxValue <= 0 || len(s) <= c.maxValue {
		return s
	}
	cut := c.maxValue
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…[cut " + strconv.Itoa(len(s)-cut) + " bytes]"
}

func levelFor(status int) slog.Level {
	switch {
	case status >= 500:
		return slog.LevelError
	case status >= 400:
		return slog.LevelWarn
	}
	return slog.LevelInfo
}

// captureReader keeps the first keep bytes read through it.
type captureReader struct {
	io.ReadCloser
	keep int
	data []byte
}

func (c *captureReader) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	if room := c.keep - len(c.data); room > 0 {
		c.data = append(c.data, p[:min(room, n)]...)
	}
	return n, err
}
