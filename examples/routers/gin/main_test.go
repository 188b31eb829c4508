package main

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/conformance/sdktest"
)

func TestGin(t *testing.T) {
	gin.SetMode(gin.TestMode)
	sdktest.CheckApp(t, sdktest.App{
		Before:  existingApp(),
		With:    func(b oaicompat.Backend) http.Handler { return newApp(b) },
		Base:    "/llm/v1",
		Backend: reply,
		Reply:   "gin says: hi",
	},
		sdktest.Request{Method: "GET", Path: "/"},
		sdktest.Request{Method: "GET", Path: "/products/42"},
		sdktest.Request{Method: "POST", Path: "/products/42"},
		sdktest.Request{Method: "GET", Path: "/nope"},
		sdktest.Request{Method: "GET", Path: "/v1/models"},
		sdktest.Request{Method: "GET", Path: "/llm/v1x"},
	)
}
