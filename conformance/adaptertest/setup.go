// Package adaptertest is the test suite every router adapter passes, so
// that the echo v4 and echo v5 adapters are held to the same checks. An
// adapter's test builds a host application with its router (Harness.App);
// Run mounts the OpenAI API on it in several Setups and checks, through the
// official openai-go client and raw HTTP over loopback, that the API works
// (chat streamed and not, each event flushed, net/http middleware inside the
// router), that errors raised by the router or its middleware on the API's
// routes come back in OpenAI's error envelope with their status, and that the
// host application's own routes answer exactly as they did before.
package adaptertest

import (
	"net/http"
	"testing"

	"github.com/oaicompat/oaicompat"
)

// Setup describes the host application a test asks a Harness to build.
//
// Every host application has these routes of its own, with its router's
// recover middleware applied app-wide: GET /health answers 200 "ok" as
// text/plain; GET /boom panics; GET /teapot returns the router's own error
// type with status 418 and message "short and stout"; and, when Group is
// set, GET {Group}/status answers 200 "group ok" (behind the group's
// middleware).
type Setup struct {
	// Group is the prefix of the router group the API is registered on;
	// "" registers it on the router itself.
	Group string
	// Prefix is where the API is registered, relative to Group.
	Prefix string
	// Backend serves the API. Nil builds the host application alone, as it
	// was before the API was added.
	Backend oaicompat.Backend
	// Options are passed to the adapter's register function.
	Options []oaicompat.Option

	// The router middleware of the group, applied in this order; only set
	// together with Group.

	// APIKey, when set, adds the router's key-auth middleware accepting
	// "Authorization: Bearer <APIKey>".
	APIKey string
	// BodyLimit, when positive, adds the router's body-limit middleware
	// with this many bytes.
	BodyLimit int64
	// Middleware are net/http middleware, added through the router's
	// wrapper for them (echo.WrapMiddleware).
	Middleware []func(http.Handler) http.Handler
}

// Harness is what an adapter's test provides.
type Harness struct {
	// App builds the host application for s and, when s.Backend is set,
	// mounts the API with the adapter and installs the adapter's error
	// handler in front of the router's default one.
	App func(t *testing.T, s Setup) http.Handler
	// MissingKeyStatus is the status the router's key-auth middleware
	// answers a request that sends no key.
	MissingKeyStatus int
}
