package main

import (
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/conformance/sdktest"
)

// TestChi mounts the API with Mount and with Mount inside Route.
func TestChi(t *testing.T) {
	for name, mount := range map[string]func(oaicompat.Backend) chi.Router{"Mount": newApp, "Route": newRoutedApp} {
		t.Run(name, func(t *testing.T) {
			sdktest.CheckApp(t, sdktest.App{
				Before:  existingApp(),
				With:    func(b oaicompat.Backend) http.Handler { return mount(b) },
				Base:    "/llm/v1",
				Backend: reply,
				Reply:   "chi says: hi",
			},
				sdktest.Request{Method: "GET", Path: "/"},
				sdktest.Request{Method: "GET", Path: "/products/42"},
				sdktest.Request{Method: "POST", Path: "/products/42"},
				sdktest.Request{Method: "GET", Path: "/nope"},
				sdktest.Request{Method: "GET", Path: "/v1/models"},
				sdktest.Request{Method: "GET", Path: "/llm/v1x"},
			)
		})
	}
}
