package mount

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
)

func TestUnder(t *testing.T) {
	tests := []struct {
		path, prefix string
		want         bool
	}{
		{"/v1", "/v1", true},
		{"/v1/", "/v1", true},
		{"/v1/chat/completions", "/v1", true},
		{"/v1x", "/v1", false},
		{"/v", "/v1", false},
		{"/api/v1/models", "/api/v1", true},
		{"/api/v2/models", "/api/v1", false},
		{"/anything", "", true},
		{"/", "", true},
	}
	for _, tt := range tests {
		if got := Under(tt.path, tt.prefix); got != tt.want {
			t.Errorf("Under(%q, %q) = %v, want %v", tt.path, tt.prefix, got, tt.want)
		}
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{"": "", "/": "", "/v1": "/v1", "/v1/": "/v1", "v1": "/v1", "/api/v1//": "/api/v1"} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestError checks the OpenAI error made of each router status, written as
// the client sees it.
func TestError(t *testing.T) {
	tests := []struct {
		status  int
		message string
		want    string
	}{
		{400, "missing key in request header", `400 {"error":{"message":"missing key in request header","type":"invalid_request_error","param":null,"code":null}}`},
		{401, "Unauthorized", `401 {"error":{"message":"Unauthorized","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`},
		{403, "", `403 {"error":{"message":"Forbidden","type":"request_forbidden","param":null,"code":null}}`},
		{404, "Not Found", `404 {"error":{"message":"Invalid URL (PUT /v1/x)","type":"invalid_request_error","param":null,"code":null}}`},
		{404, "no such user", `404 {"error":{"message":"no such user","type":"invalid_request_error","param":null,"code":null}}`},
		{405, "", `405 {"error":{"message":"Method Not Allowed","type":"invalid_request_error","param":null,"code":"method_not_allowed"}}`},
		{413, "Request Entity Too Large", `413 {"error":{"message":"Request Entity Too Large","type":"invalid_request_error","param":null,"code":"request_too_large"}}`},
		{429, "rate limit exceeded", `429 {"error":{"message":"rate limit exceeded","type":"requests","param":null,"code":"rate_limit_exceeded"}}`},
		{500, "Internal Server Error", `500 {"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}`},
		{503, "", `503 {"error":{"message":"Service Unavailable","type":"server_error","param":null,"code":null}}`},
		{0, "", `500 {"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}`},
	}
	r := httptest.NewRequest(http.MethodPut, "/v1/x", nil)
	cause := errors.New("cause")
	for _, tt := range tests {
		e := Error(r, tt.status, tt.message, cause)
		if !errors.Is(e, cause) {
			t.Errorf("%d: the cause is lost", tt.status)
		}
		rec := httptest.NewRecorder()
		oaicompat.WriteError(rec, e)
		if got := fmt.Sprintf("%d %s", rec.Code, strings.TrimSpace(rec.Body.String())); got != tt.want {
			t.Errorf("%d %q:\n got %s\nwant %s", tt.status, tt.message, got, tt.want)
		}
	}
}
