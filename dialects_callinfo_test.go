package oaicompat_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat"
)

// TestDialectsFillCallInfo checks what middleware learns about translated
// requests: the endpoint, model, stream flag, usage and finish reasons.
func TestDialectsFillCallInfo(t *testing.T) {
	var got *oaicompat.CallInfo
	h := oaicompat.NewHandler(&dialectBackend{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, ci := oaicompat.NewCallInfoContext(r.Context())
		h.ServeHTTP(w, r.WithContext(ctx))
		got = ci
	}))
	defer srv.Close()
	tests := []struct {
		path, body, endpoint, finish string
		stream                       bool
		usage                        int
	}{
		{"/v1/responses", `{"model":"m1","input":"a"}`, "responses", "stop", false, 15},
		{"/v1/responses", `{"model":"m1","input":"a","stream":true}`, "responses", "stop", true, 15},
		{"/v1/completions", `{"model":"m1","prompt":"a","max_tokens":2}`, "completions", "length", false, 15},
		{"/v1/completions", `{"model":"m1","prompt":"a","stream":true}`, "completions", "stop", true, 15},
	}
	for _, tt := range tests {
		res, err := http.Post(srv.URL+tt.path, "application/json", strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if got.Endpoint != tt.endpoint || got.Model != "m1" || got.Stream != tt.stream || got.Usage.TotalTokens != tt.usage ||
			len(got.FinishReasons) != 1 || got.FinishReasons[0] != tt.finish || got.FirstOutput.IsZero() {
			t.Errorf("%s %s: CallInfo = %+v", tt.path, tt.body, got)
		}
	}
}
