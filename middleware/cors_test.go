package middleware_test

import (
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/internal/testenv"
	"github.com/oaicompat/oaicompat/middleware"
)

// preflight sends a CORS preflight for POST /v1/chat/completions.
func preflight(t *testing.T, url, origin, headers string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodOptions, url+"/v1/chat/completions", nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	if headers != "" {
		req.Header.Set("Access-Control-Request-Headers", headers)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestCORSPreflight(t *testing.T) {
	t.Parallel()
	const sdkHeaders = "authorization,content-type,x-stainless-os,x-stainless-lang,x-stainless-retry-count,x-stainless-timeout,openai-organization"
	tests := []struct {
		name        string
		opts        []middleware.CORSOption
		origin      string
		request     string // Access-Control-Request-Headers
		wantOrigin  string // Access-Control-Allow-Origin; "" for none
		wantHeaders string // Access-Control-Allow-Headers
		wantCreds   string
		wantVary    []string
	}{
		{
			name: "any origin, SDK headers", origin: "https://app.example", request: sdkHeaders,
			wantOrigin: "*", wantHeaders: "authorization, content-type, x-stainless-os, x-stainless-lang, x-stainless-retry-count, x-stainless-timeout, openai-organization",
			wantVary: []string{"Access-Control-Request-Method", "Access-Control-Request-Headers"},
		},
		{
			name: "azure and x-api-key headers", origin: "https://app.example", request: "Api-Key, X-Api-Key",
			wantOrigin: "*", wantHeaders: "api-key, x-api-key",
			wantVary: []string{"Access-Control-Request-Method", "Access-Control-Request-Headers"},
		},
		{
			name: "unknown header not allowed", origin: "https://app.example", request: "authorization, x-evil",
			wantOrigin: "*", wantHeaders: "authorization",
			wantVary: []string{"Access-Control-Request-Method", "Access-Control-Request-Headers"},
		},
		{
			name: "listed origin echoed", opts: []middleware.CORSOption{middleware.WithOrigins("https://a.example", "https://b.example")},
			origin: "https://b.example", request: "authorization", wantOrigin: "https://b.example", wantHeaders: "authorization",
			wantVary: []string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"},
		},
		{
			name: "unlisted origin refused", opts: []middleware.CORSOption{middleware.WithOrigins("https://a.example")},
			origin: "https://evil.example", request: "authorization",
			wantVary: []string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"},
		},
		{
			name: "credentials echo the origin", opts: []middleware.CORSOption{middleware.WithOrigins("https://app.example"), middleware.WithCredentials()},
			origin: "https://app.example", request: "authorization", wantOrigin: "https://app.example", wantHeaders: "authorization", wantCreds: "true",
			wantVary: []string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// CORS in front of Auth: a preflight carries no key and must still pass
			chain := middleware.Chain(middleware.CORS(tt.opts...), middleware.Auth(middleware.StaticKeys(testKeys)))
			srv := serve(t, chain(oaicompat.NewHandler(hello)))
			resp := preflight(t, srv.URL, tt.origin, tt.request)
			h := resp.Header
			if resp.StatusCode != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != tt.wantOrigin ||
				h.Get("Access-Control-Allow-Headers") != tt.wantHeaders || h.Get("Access-Control-Allow-Credentials") != tt.wantCreds ||
				!slices.Equal(h.Values("Vary"), tt.wantVary) {
				t.Fatalf("got %d %v", resp.StatusCode, h)
			}
			if tt.wantOrigin != "" && (h.Get("Access-Control-Allow-Methods") != "GET, POST, DELETE, OPTIONS" || h.Get("Access-Control-Max-Age") != "600") {
				t.Fatalf("methods %q, max age %q", h.Get("Access-Control-Allow-Methods"), h.Get("Access-Control-Max-Age"))
			}
		})
	}
}

// TestCORSActualRequests: responses to allowed origins are readable, errors
// from Auth included, and expose the headers the SDKs read.
func TestCORSActualRequests(t *testing.T) {
	t.Parallel()
	chain := middleware.Chain(middleware.RequestID(),
		middleware.CORS(middleware.WithOrigins("https://app.example"), middleware.WithMaxAge(time.Hour)),
		middleware.Auth(middleware.StaticKeys(testKeys)))
	srv := serve(t, chain(oaicompat.NewHandler(hello)))
	tests := []struct {
		name, origin, key string
		wantStatus        int
		wantOrigin        string
	}{
		{"allowed origin", "https://app.example", aliceKey, 200, "https://app.example"},
		{"allowed origin, 401 readable", "https://app.example", "sk-wrong", 401, "https://app.example"},
		{"other origin", "https://evil.example", aliceKey, 200, ""},
		{"no origin (not a browser)", "", aliceKey, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", srv.URL+"/v1/chat/completions",
				strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`))
			req.Header.Set("Authorization", "Bearer "+tt.key)
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus || resp.Header.Get("Access-Control-Allow-Origin") != tt.wantOrigin {
				t.Fatalf("got %d, allow-origin %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
			}
			expose := resp.Header.Get("Access-Control-Expose-Headers")
			for _, h := range []string{"x-request-id", "retry-after-ms", "x-ratelimit-remaining-tokens", "x-should-retry"} {
				if strings.Contains(expose, h) != (tt.wantOrigin != "") {
					t.Fatalf("expose-headers %q and %s", expose, h)
				}
			}
		})
	}
	// a non-preflight OPTIONS request goes to the handler (405 in the envelope)
	req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/v1/chat/completions", nil)
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Authorization", "Bearer "+aliceKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("plain OPTIONS: %d", resp.StatusCode)
	}
}

// browserSetHeaders are set by browsers themselves, never by page scripts
// (forbidden names, and the Sec- prefix), so they never appear in a
// preflight's Access-Control-Request-Headers; Node's fetch sets some of them.
func browserSetHeader(name string) bool {
	return strings.HasPrefix(name, "sec-") || slices.Contains([]string{
		"accept-encoding", "connection", "content-length", "host", "user-agent", "origin", "referer",
	}, name)
}

// TestCORSOpenAINodeSDK records the headers the official openai npm SDK
// sends and checks that a preflight asking for all of them is allowed.
func TestCORSOpenAINodeSDK(t *testing.T) {
	t.Parallel()
	node, nodetest := testenv.Node(t, filepath.Join("..", "nodetest"), "openai")
	var (
		mu   sync.Mutex
		sent = map[string]bool{}
	)
	recordHeaders := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			for name := range r.Header {
				if n := strings.ToLower(name); !browserSetHeader(n) {
					sent[n] = true
				}
			}
			mu.Unlock()
			next.ServeHTTP(w, r)
		})
	}
	chain := middleware.Chain(middleware.CORS(), recordHeaders)
	srv := serve(t, chain(oaicompat.NewHandler(hello)))
	cmd := exec.CommandContext(testContext(t), node, "sdk_headers.mjs", srv.URL+"/v1")
	cmd.Dir = nodetest
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), `{"content":"Hello!","streamed":"Hello!"}`) {
		t.Fatalf("node: %v\n%s", err, out)
	}

	mu.Lock()
	names := make([]string, 0, len(sent))
	for n := range sent {
		names = append(names, n)
	}
	mu.Unlock()
	slices.Sort(names)
	if !slices.Contains(names, "authorization") || !slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "x-stainless-") }) {
		t.Fatalf("the SDK sent %v: expected authorization and x-stainless-* headers", names)
	}
	resp := preflight(t, srv.URL, "https://app.example", strings.Join(names, ","))
	allowed := strings.Split(resp.Header.Get("Access-Control-Allow-Headers"), ", ")
	for _, n := range names {
		if !slices.Contains(allowed, n) {
			t.Errorf("the SDK sends %q, which the preflight does not allow (allowed: %v)", n, allowed)
		}
	}
}
