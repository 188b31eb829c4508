package oaicompat_test

import (
	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/internal/handlertest"
)

// The fixtures this package's tests share with the SDK tests of module
// conformance live in internal/handlertest; these names keep the tests
// reading as before.
type (
	dialectBackend  = handlertest.Dialect
	messagesBackend = handlertest.Messages
	nativeMessages  = handlertest.NativeMessages
	native          = handlertest.Native
	failing         = handlertest.Failing
)

var (
	newTestBackend = handlertest.NewBackend
	serve          = handlertest.Serve
	serveDialects  = handlertest.ServeDialects
	post           = handlertest.Post
	decodeJSON     = handlertest.DecodeJSON
	sseEvents      = handlertest.SSEEvents
)

// chatOnly hides every capability of a backend but Chat.
type chatOnly struct{ oaicompat.Backend }
