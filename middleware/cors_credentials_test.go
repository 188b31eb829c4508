package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat/middleware"
)

// TestCORSConfigurationRefused: credentials with any origin allowed, and
// origins no browser can send, panic when CORS is built, with a message
// that says what to do.
func TestCORSConfigurationRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []middleware.CORSOption
		want string // in the panic; "" for none
	}{
		{"credentials, default origins", []middleware.CORSOption{middleware.WithCredentials()}, `list the origins: WithOrigins(`},
		{"credentials, wildcard", []middleware.CORSOption{middleware.WithOrigins("https://a.example", "*"), middleware.WithCredentials()}, `WithCredentials with any origin allowed`},
		{"credentials, listed origins", []middleware.CORSOption{middleware.WithOrigins("https://a.example", "http://localhost:5173"), middleware.WithCredentials()}, ""},
		{"wildcard without credentials", []middleware.CORSOption{middleware.WithOrigins("*")}, ""},
		{"trailing slash", []middleware.CORSOption{middleware.WithOrigins("https://a.example/")}, `origin "https://a.example/" is not of the form`},
		{"path", []middleware.CORSOption{middleware.WithOrigins("https://a.example/app")}, `origin "https://a.example/app"`},
		{"no scheme", []middleware.CORSOption{middleware.WithOrigins("a.example")}, `origin "a.example"`},
		{"upper-case scheme", []middleware.CORSOption{middleware.WithOrigins("HTTPS://a.example")}, `origin "HTTPS://a.example"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := func() (msg string) {
				defer func() {
					if v := recover(); v != nil {
						msg, _ = v.(string)
						if msg == "" {
							msg = "non-string panic"
						}
					}
				}()
				middleware.CORS(tt.opts...)
				return ""
			}()
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Fatalf("panic %q, want one containing %q", got, tt.want)
			}
		})
	}
}

// TestCORSCredentialsNeverReflectUnlisted: with credentials and listed
// origins, another origin gets no CORS headers at all (issue 11: the
// default origins used to echo https://evil.example with credentials).
func TestCORSCredentialsNeverReflectUnlisted(t *testing.T) {
	t.Parallel()
	h := middleware.CORS(middleware.WithOrigins("https://app.example"), middleware.WithCredentials())(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, origin := range []string{"https://evil.example", "https://app.example.evil.example", "null"} {
		for _, method := range []string{"GET", "OPTIONS"} {
			req := httptest.NewRequest(method, "/v1/models", nil)
			req.Header.Set("Origin", origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if got := rec.Header().Get("Access-Control-Allow-Origin") + rec.Header().Get("Access-Control-Allow-Credentials"); got != "" {
				t.Fatalf("%s from %s: allowed %q", method, origin, got)
			}
		}
	}
	req := httptest.NewRequest("GET", "/v1/models", nil)
	req.Header.Set("Origin", "https://app.example")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Header().Get("Access-Control-Allow-Origin") != "https://app.example" || rec.Header().Get("Access-Control-Allow-Credentials") != "true" {
		t.Fatalf("listed origin: %v", rec.Header())
	}
}
