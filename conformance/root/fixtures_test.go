package oaicompat_test

import (
	"path/filepath"
	"testing"

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
	tinyPNG        = handlertest.TinyPNG
)

// chatOnly hides every capability of a backend but Chat.
type chatOnly struct{ oaicompat.Backend }

// nodeOrSkip returns the node binary for the tests that drive the npm SDKs
// of nodetest/ (see handlertest.Node).
func nodeOrSkip(t *testing.T) string {
	t.Helper()
	return handlertest.Node(t, filepath.Join("..", "..", "nodetest"))
}
