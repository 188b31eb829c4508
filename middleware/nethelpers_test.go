package middleware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/oaicompat/oaicompat"
)

// This file holds the helpers of the tests written with net/http and raw
// JSON (no SDK): keys, a counting backend and a request builder.

// rawKeyID is the id of rawKey, the key these tests authenticate with.
const (
	rawKey   = "sk-raw-0123456789abcdefghijklmnopqrstuvwxyzABCDEF"
	rawKeyID = "raw"
)

// rawKeys maps rawKey to rawKeyID.
var rawKeys = map[string]string{rawKey: rawKeyID}

// rawUsage is what twentyWords reports.
var rawUsage = oaicompat.Usage{PromptTokens: 12, CompletionTokens: 20, TotalTokens: 32}

// twentyWords writes twenty deltas and reports rawUsage.
var twentyWords = oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	w.SetUsage(rawUsage)
	for range 20 {
		if err := w.WriteText("word "); err != nil {
			return err
		}
	}
	return nil
})

// chatBody is a small chat request, streamed or not.
func chatBody(stream bool) string {
	if stream {
		return `{"model":"m","stream":true,"messages":[{"role":"user","content":"Count to twenty."}]}`
	}
	return `{"model":"m","messages":[{"role":"user","content":"Count to twenty."}]}`
}

// post sends body to h in process as rawKey and returns the recorder.
func post(h http.Handler, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+rawKey)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// served signals on done each time a request has been completely served,
// middleware included, for tests that read what the chain recorded.
func served(done chan<- struct{}) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() { done <- struct{}{} }()
			next.ServeHTTP(w, r)
		})
	}
}
