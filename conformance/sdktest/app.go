package sdktest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
)

// App is a host application with the OpenAI API mounted in it, as an
// example program builds it.
type App struct {
	// Before is the host application as it was, without the API.
	Before http.Handler
	// With returns the host application with the API served from backend.
	With func(backend oaicompat.Backend) http.Handler
	// Base is the path the API is mounted at, e.g. "/v1".
	Base string
	// Backend is the application's backend; asked "hi", it answers Reply.
	Backend oaicompat.Backend
	Reply   string
}

// CheckApp drives the API in app with the openai-go client (a chat
// streamed and not, an unknown route that must answer OpenAI's 404, and a
// stream that must be flushed event by event), asks the same through the
// Anthropic Messages route, and checks that the host's
// own requests get the same answers as before the API was mounted.
func CheckApp(t *testing.T, app App, host ...Request) {
	t.Helper()
	srv := httptest.NewServer(app.With(app.Backend))
	defer srv.Close()
	c := Client(srv.URL + app.Base)
	if got := Chat(t, c, "hi"); got != app.Reply {
		t.Errorf("chat = %q, want %q", got, app.Reply)
	}
	if got := Stream(t, c, "hi"); got != app.Reply {
		t.Errorf("stream = %q, want %q", got, app.Reply)
	}
	if got := Messages(t, srv.URL+app.Base, "hi"); got != app.Reply {
		t.Errorf("messages = %q, want %q", got, app.Reply)
	}
	err := c.Post(t.Context(), "chat/completion", nil, nil)
	// Mounted at a prefix the handler finds in the path, the message goes on
	// to say where the API is.
	if e, want := APIError(t, err, http.StatusNotFound), "Invalid URL (POST "+app.Base+"/chat/completion)"; !strings.HasPrefix(e.Message, want) {
		t.Errorf("unknown route: message %q, want it to start with %q", e.Message, want)
	}

	stepper := NewStepper("one ", "two ", "three")
	stepped := httptest.NewServer(app.With(stepper))
	defer stepped.Close()
	stepper.CheckFlush(t, Client(stepped.URL+app.Base))

	before := httptest.NewServer(app.Before)
	defer before.Close()
	Unchanged(t, before.URL, srv.URL, host...)
}
