package middleware

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A CORSOption configures CORS.
type CORSOption func(*corsConfig)

type corsConfig struct {
	origins     []string // "*" allows any
	credentials bool
	maxAge      time.Duration
}

// WithOrigins sets the origins allowed to call the API from a browser, each
// exactly as browsers send the Origin header: scheme, host and the port
// when it is not the scheme's default, without a path or a trailing slash,
// for example WithOrigins("https://app.example.com",
// "http://localhost:5173"). "*" allows any origin. CORS panics on an origin
// of another shape (it could never match). Default "*": API keys, not
// cookies, protect an OpenAI-style API, so any page holding a key may use
// it.
func WithOrigins(origins ...string) CORSOption {
	return func(c *corsConfig) { c.origins = origins }
}

// WithCredentials lets browsers send cookies and HTTP authentication with
// cross-origin requests (Access-Control-Allow-Credentials: true); the
// allowed origin is then echoed rather than "*". It needs the origins
// listed with WithOrigins: with any origin allowed (the default, or "*"),
// every site a user visits could call the API with the user's cookies, so
// CORS panics instead, when it is built, as net/http does for a bad
// pattern. Default off.
func WithCredentials() CORSOption { return func(c *corsConfig) { c.credentials = true } }

// WithMaxAge sets how long browsers may cache a preflight answer. Default 10
// minutes (browsers cap it: Chromium at 2 hours).
func WithMaxAge(d time.Duration) CORSOption { return func(c *corsConfig) { c.maxAge = d } }

// Headers a browser client may send: the OpenAI SDKs' own (the openai-node
// SDK in a browser sends Authorization, the OpenAI-* headers and its
// X-Stainless-* telemetry), Azure's and other clients' key headers, and
// request ids.
var corsAllowedHeaders = []string{
	"authorization", "content-type", "accept", "accept-language", "content-language", "api-key", "x-api-key",
	"openai-organization", "openai-project", "openai-beta", "idempotency-key", "x-request-id",
}

const corsAllowedHeaderPrefix = "x-stainless-"

// Response headers a browser client must be able to read: the SDKs take
// the request id into their errors and base their retries on these.
const corsExposedHeaders = "x-request-id, retry-after, retry-after-ms, x-should-retry, " +
	"x-ratelimit-limit-requests, x-ratelimit-remaining-requests, x-ratelimit-reset-requests, " +
	"x-ratelimit-limit-tokens, x-ratelimit-remaining-tokens, x-ratelimit-reset-tokens, " +
	"openai-processing-ms, openai-version"

const corsAllowedMethods = "GET, POST, DELETE, OPTIONS"

// CORS lets browser clients — the openai-node SDK with
// dangerouslyAllowBrowser, a web playground — call the API from another
// origin. It answers preflight requests (OPTIONS with
// Access-Control-Request-Method) itself with 204, allowing the methods
// GET, POST and DELETE and the headers the SDKs send (Authorization,
// api-key, x-api-key, OpenAI-*, and every X-Stainless-* header), and marks
// every other response from an allowed origin readable, exposing the
// request id, Retry-After and x-ratelimit-* headers the SDKs read. Requests
// from origins that are not allowed get no CORS headers, so the browser
// blocks them. Put CORS before Auth, so preflights (which carry no key) are
// answered and 401s stay readable.
func CORS(opts ...CORSOption) func(http.Handler) http.Handler {
	cfg := corsConfig{origins: []string{"*"}, maxAge: 10 * time.Minute}
	for _, o := range opts {
		o(&cfg)
	}
	anyOrigin := slices.Contains(cfg.origins, "*")
	checkOrigins(cfg.origins, anyOrigin, cfg.credentials)
	maxAge := strconv.Itoa(int(cfg.maxAge / time.Second))
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			origin := r.Header.Get("Origin")
			if origin == "" {
				next.ServeHTTP(w, r)
				return
			}
			h := w.Header()
			preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
			if !anyOrigin {
				h.Add("Vary", "Origin")
			}
			if preflight {
				h.Add("Vary", "Access-Control-Request-Method")
				h.Add("Vary", "Access-Control-Request-Headers")
			}
			if anyOrigin || slices.Contains(cfg.origins, origin) {
				if anyOrigin {
					h.Set("Access-Control-Allow-Origin", "*")
				} else {
					h.Set("Access-Control-Allow-Origin", origin)
				}
				if cfg.credentials {
					h.Set("Access-Control-Allow-Credentials", "true")
				}
				if preflight {
					h.Set("Access-Control-Allow-Methods", corsAllowedMethods)
					if allowed := allowedHeaders(r.Header.Values("Access-Control-Request-Headers")); allowed != "" {
						h.Set("Access-Control-Allow-Headers", allowed)
					}
					h.Set("Access-Control-Max-Age", maxAge)
				} else {
					h.Set("Access-Control-Expose-Headers", corsExposedHeaders)
				}
			}
			if preflight {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// checkOrigins panics on a configuration that is a mistake: credentials
// with any origin allowed, or an origin no browser can send.
func checkOrigins(origins []string, anyOrigin, credentials bool) {
	if credentials && anyOrigin {
		panic(`middleware: CORS: WithCredentials with any origin allowed (the default, or "*") would let every site ` +
			`call the API with its users' cookies; list the origins: WithOrigins("https://app.example.com", ...)`)
	}
	for _, o := range origins {
		if o == "*" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || u.Scheme == "" || u.Host == "" || u.User != nil || u.Path != "" || u.RawQuery != "" ||
			u.Fragment != "" || u.ForceQuery || o != strings.ToLower(u.Scheme)+"://"+u.Host {
			panic(fmt.Sprintf(`middleware: CORS: origin %q is not of the form "scheme://host[:port]" (no path, no trailing slash)`, o))
		}
	}
}

// allowedHeaders returns, comma-separated, those of the requested headers
// that may be sent; a browser refuses the request when any is missing.
func allowedHeaders(requested []string) string {
	var b strings.Builder
	for _, list := range requested {
		for name := range strings.SplitSeq(list, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" || !(slices.Contains(corsAllowedHeaders, name) || strings.HasPrefix(name, corsAllowedHeaderPrefix)) {
				continue
			}
			if b.Len() > 0 {
				b.WriteString(", ")
			}
			b.WriteString(name)
		}
	}
	return b.String()
}
