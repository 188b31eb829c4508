package main

import (
	"net/http"
	"testing"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/conformance/sdktest"
)

func TestPassthrough(t *testing.T) {
	// Everything outside /v1/ reaches the existing handler as it was sent
	// (it echoes the request URI), including paths a ServeMux would clean or
	// redirect.
	sdktest.CheckApp(t, sdktest.App{
		Before:  existing,
		With:    func(b oaicompat.Backend) http.Handler { return withOpenAI(oaicompat.NewHandler(b))(existing) },
		Base:    "/v1",
		Backend: reply,
		Reply:   "passthrough says: hi",
	},
		sdktest.Request{Method: "GET", Path: "/"},
		sdktest.Request{Method: "POST", Path: "/orders?id=7"},
		sdktest.Request{Method: "GET", Path: "/a//b/../c"},
		sdktest.Request{Method: "GET", Path: "/v1"},
		sdktest.Request{Method: "GET", Path: "/v1x/models"},
		sdktest.Request{Method: "DELETE", Path: "/V1/models"},
		sdktest.Request{Method: "GET", Path: "/v2/models", Header: http.Header{"Authorization": {"Bearer sk-test"}}},
	)
}
