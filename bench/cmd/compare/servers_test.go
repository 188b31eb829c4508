package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestReferenceBytes checks that the reference server answers exactly what
// the handler (with fixed ids and clock) answers: status, headers and body.
func TestReferenceBytes(t *testing.T) {
	ref, handler := httptest.NewServer(newReference()), httptest.NewServer(newHandler(true))
	defer ref.Close()
	defer handler.Close()
	for _, tt := range []struct {
		name   string
		stream bool
		query  string
	}{{"non-stream", false, ""}, {"stream", true, "?stream"}} {
		t.Run(tt.name, func(t *testing.T) {
			get := func(base string) (*http.Response, []byte) {
				resp, err := http.Post(base+"/v1/chat/completions"+tt.query, "application/json", bytes.NewReader(requestBody(tt.stream, "")))
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				if err != nil {
					t.Fatal(err)
				}
				return resp, body
			}
			want, wantBody := get(handler.URL)
			got, gotBody := get(ref.URL)
			if got.StatusCode != want.StatusCode || want.StatusCode != http.StatusOK {
				t.Fatalf("status %d, handler %d", got.StatusCode, want.StatusCode)
			}
			if !bytes.Equal(gotBody, wantBody) {
				t.Fatalf("body:\n%s\nhandler's:\n%s", gotBody, wantBody)
			}
			if tt.stream != strings.Contains(string(wantBody), "data: [DONE]") {
				t.Fatalf("stream %v, body %s", tt.stream, wantBody)
			}
			got.Header.Del("Date")
			want.Header.Del("Date")
			if g, w := headerString(got.Header), headerString(want.Header); g != w {
				t.Fatalf("headers:\n%s\nhandler's:\n%s", g, w)
			}
		})
	}
}

func headerString(h http.Header) string {
	var b strings.Builder
	_ = h.Write(&b)
	return b.String()
}

// TestBackendReply checks the reply the load measures: 23 words, one
// content chunk each on a stream.
func TestBackendReply(t *testing.T) {
	if len(reply) != 23 {
		t.Fatalf("%d words, want 23", len(reply))
	}
	c := capture(newHandler(true), requestBody(true, ""))
	content := 0
	for _, e := range c.events {
		if bytes.Contains(e, []byte(`"content":`)) && !bytes.Contains(e, []byte(`"content":""`)) {
			content++
		}
	}
	if content != len(reply) {
		t.Fatalf("%d content chunks, want %d:\n%s", content, len(reply), c.body)
	}
}
