package main

import (
	"net/http"
	"testing"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/conformance/sdktest"
)

func TestPrefix(t *testing.T) {
	sdktest.CheckApp(t, sdktest.App{
		Before:  existingMux(),
		With:    func(b oaicompat.Backend) http.Handler { return newMux(b) },
		Base:    "/llm/v1",
		Backend: reply,
		Reply:   "prefix says: hi",
	},
		sdktest.Request{Method: "GET", Path: "/"},
		sdktest.Request{Method: "GET", Path: "/llm/status"},
		sdktest.Request{Method: "POST", Path: "/llm/status"},
		sdktest.Request{Method: "GET", Path: "/llm"},
		sdktest.Request{Method: "GET", Path: "/v1/models"},
	)
}
