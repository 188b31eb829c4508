package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/conformance/sdktest"
)

func TestEcho(t *testing.T) {
	sdktest.CheckApp(t, sdktest.App{
		Before:  existingApp(),
		With:    func(b oaicompat.Backend) http.Handler { return newApp(b) },
		Base:    "/llm/v1",
		Backend: reply,
		Reply:   "echo says: hi",
	},
		sdktest.Request{Method: "GET", Path: "/"},
		sdktest.Request{Method: "GET", Path: "/products/42"},
		sdktest.Request{Method: "POST", Path: "/products/42"},
		sdktest.Request{Method: "GET", Path: "/nope"},
		sdktest.Request{Method: "GET", Path: "/v1/models"},
		sdktest.Request{Method: "GET", Path: "/llm/v1x"},
	)
	// echo's own 404 under /llm/v1 comes back in OpenAI's envelope.
	srv := httptest.NewServer(newApp(reply))
	defer srv.Close()
	status, body := sdktest.Get(t, srv.URL, sdktest.Request{Method: "GET", Path: "/llm/v1"})
	if want := `{"error":{"message":"Invalid URL (GET /llm/v1)","type":"invalid_request_error","param":null,"code":null}}` + "\n"; status != 404 || body != want {
		t.Errorf("GET /llm/v1 = %d %s, want 404 %s", status, body, want)
	}
}
