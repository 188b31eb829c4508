package adaptertest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat/conformance/sdktest"
)

// testHostUnchanged sends the host application's own requests, including
// its errors, to the application with and without the API mounted, and
// fails on any difference.
func testHostUnchanged(t *testing.T, h Harness) {
	key := http.Header{"Authorization": {"Bearer " + apiKey}}
	requests := []sdktest.Request{
		{Method: "GET", Path: "/health"},
		{Method: "POST", Path: "/health"},
		{Method: "GET", Path: "/boom"},
		{Method: "GET", Path: "/teapot"},
		{Method: "GET", Path: "/nope"},
		{Method: "GET", Path: "/v1"},
		{Method: "GET", Path: "/v1x/chat/completions"},
		{Method: "GET", Path: "/llm"},
		{Method: "GET", Path: "/llm/v1x"},
		{Method: "GET", Path: "/api/status", Header: key},
		{Method: "GET", Path: "/api/status"},
		{Method: "GET", Path: "/api/v2/models", Header: key},
		{Method: "GET", Path: "/api/v1x", Header: key},
	}
	for _, s := range mounts(youSaid) {
		t.Run(s.Group+s.Prefix, func(t *testing.T) {
			before := s
			before.Backend = nil
			old, _ := start(t, h, before)
			mounted, _ := start(t, h, s)
			if status, body := sdktest.Get(t, old, sdktest.Request{Method: "GET", Path: "/health"}); status != 200 || body != "ok" {
				t.Fatalf("the host application's GET /health = %d %q, want 200 \"ok\"", status, body)
			}
			if status, body := sdktest.Get(t, old, sdktest.Request{Method: "GET", Path: "/teapot"}); status != 418 || strings.Contains(body, `"error":{`) {
				t.Fatalf("the host application's GET /teapot = %d %s, want 418 in the router's format", status, body)
			}
			sdktest.Unchanged(t, old, mounted, requests...)
		})
	}
}
