package adaptertest

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
)

// chatBody returns a chat request body whose prompt has n bytes.
func chatBody(n int) string {
	return `{"model":"test-model","messages":[{"role":"user","content":"` + strings.Repeat("a", n) + `"}]}`
}

// noLength hides a reader's length, so that the request is sent chunked
// and only reading it can find it too large.
type noLength struct{ io.Reader }

// testRouterErrors sends raw requests that fail in the router, its
// middleware or the handler, on both mounts, and checks each answer is
// OpenAI's error envelope with the right status.
func testRouterErrors(t *testing.T, h Harness) {
	missingKeyCode := ""
	if h.MissingKeyStatus == http.StatusUnauthorized {
		missingKeyCode = "invalid_api_key"
	}
	inv := oaicompat.TypeInvalidRequest
	tests := []struct {
		name         string
		root         bool // on the router itself under /llm/v1, not the group
		method, path string
		header       http.Header
		body         io.Reader
		want         envelope
	}{
		{name: "unknown route", method: "POST", path: "/api/v1/nope", body: strings.NewReader("{}"),
			want: envelope{404, inv, "", "Invalid URL (POST /api/v1/nope)"}},
		{name: "bare prefix", method: "GET", path: "/api/v1",
			want: envelope{404, inv, "", "Invalid URL (GET /api/v1)"}},
		{name: "wrong method", method: "GET", path: "/api/v1/chat/completions",
			want: envelope{405, inv, "method_not_allowed", "Method GET not allowed for /api/v1/chat/completions; use POST."}},
		{name: "method unknown to the router", method: "PURGE", path: "/api/v1/chat/completions",
			want: envelope{Status: 405, Type: inv, Code: "method_not_allowed"}},
		{name: "missing key", method: "POST", path: "/api/v1/chat/completions", header: http.Header{"Authorization": nil},
			body: strings.NewReader(chatBody(1)), want: envelope{Status: h.MissingKeyStatus, Type: inv, Code: missingKeyCode}},
		{name: "wrong key", method: "POST", path: "/api/v1/chat/completions", header: http.Header{"Authorization": {"Bearer sk-nope"}},
			body: strings.NewReader(chatBody(1)), want: envelope{Status: 401, Type: inv, Code: "invalid_api_key"}},
		{name: "body limit from Content-Length", method: "POST", path: "/api/v1/chat/completions",
			body: strings.NewReader(chatBody(bodyLimit)), want: envelope{Status: 413, Type: inv, Code: "request_too_large"}},
		{name: "body limit while reading", method: "POST", path: "/api/v1/chat/completions",
			body: noLength{strings.NewReader(chatBody(bodyLimit))}, want: envelope{Status: 413, Type: inv, Code: "request_too_large"}},
		{name: "panic in router middleware", method: "POST", path: "/api/v1/chat/completions", header: http.Header{"X-Panic": {"1"}},
			body: strings.NewReader(chatBody(1)), want: envelope{500, oaicompat.TypeServerError, "", genericMessage}},
		{name: "root: unknown route", root: true, method: "POST", path: "/llm/v1/nope",
			want: envelope{404, inv, "", "Invalid URL (POST /llm/v1/nope)"}},
		{name: "root: bare prefix", root: true, method: "GET", path: "/llm/v1",
			want: envelope{404, inv, "", "Invalid URL (GET /llm/v1)"}},
		{name: "root: wrong method", root: true, method: "DELETE", path: "/llm/v1/models",
			want: envelope{405, inv, "method_not_allowed", "Method DELETE not allowed for /llm/v1/models; use GET."}},
	}
	ms := mounts(youSaid, panicOn("X-Panic"))
	group, _ := start(t, h, ms[0])
	root, _ := start(t, h, ms[1])
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := group
			if tt.root {
				url = root
			}
			req, err := http.NewRequestWithContext(t.Context(), tt.method, url+tt.path, tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := tt.body.(noLength); ok {
				req.ContentLength = -1
			}
			req.Header.Set("Authorization", "Bearer "+apiKey)
			req.Header.Set("Content-Type", "application/json")
			for k, v := range tt.header {
				req.Header[k] = v
			}
			if len(req.Header["Authorization"]) == 0 {
				req.Header.Del("Authorization")
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			checkEnvelope(t, res, tt.want)
		})
	}
}
