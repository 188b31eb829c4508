package oaicompat_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
)

// failingBody yields a JSON prefix, then fails with err.
type failingBody struct {
	data io.Reader
	err  error
}

func (b *failingBody) Read(p []byte) (int, error) {
	if n, _ := b.data.Read(p); n > 0 {
		return n, nil
	}
	return 0, b.err
}

func (b *failingBody) Close() error { return nil }

// TestBodyReadError checks what a failed body read answers: an *Error from
// the reader (a router adapter's body-limit translation) as is, any other
// error as a 400.
func TestBodyReadError(t *testing.T) {
	tooLarge := &oaicompat.Error{Status: http.StatusRequestEntityTooLarge, Type: oaicompat.TypeInvalidRequest, Code: "request_too_large", Message: "Request Entity Too Large"}
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantBody   string
	}{
		{"oaicompat error", tooLarge, 413,
			`{"error":{"message":"Request Entity Too Large","type":"invalid_request_error","param":null,"code":"request_too_large"}}`},
		{"wrapped oaicompat error", errors.Join(errors.New("reader"), tooLarge), 413,
			`{"error":{"message":"Request Entity Too Large","type":"invalid_request_error","param":null,"code":"request_too_large"}}`},
		{"other error", errors.New("connection reset"), 400,
			`{"error":{"message":"Could not read the request body: connection reset","type":"invalid_request_error","param":null,"code":null}}`},
	}
	h := oaicompat.NewHandler(oaicompat.ChatFunc(func(_ context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		return w.WriteText("unreachable")
	}))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := &failingBody{data: strings.NewReader(`{"model":"m","messages":[`), err: tt.err}
			req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", body)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus || strings.TrimSpace(rec.Body.String()) != tt.wantBody {
				t.Fatalf("got %d %s, want %d %s", rec.Code, rec.Body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}
