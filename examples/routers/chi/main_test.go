package main

import (
	"net/http"
	"testing"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/internal/sdktest"
)

func TestChi(t *testing.T) {
	sdktest.CheckApp(t, sdktest.App{
		Before:  existingApp(),
		With:    func(b oaicompat.Backend) http.Handler { return newApp(b) },
		Base:    "/v1",
		Backend: reply,
		Reply:   "chi says: hi",
	},
		sdktest.Request{Method: "GET", Path: "/"},
		sdktest.Request{Method: "GET", Path: "/products/42"},
		sdktest.Request{Method: "POST", Path: "/products/42"},
		sdktest.Request{Method: "GET", Path: "/nope"},
		sdktest.Request{Method: "GET", Path: "/v1x"},
	)
}
