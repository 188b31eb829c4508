package oaicompat_test

import (
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/oaicompat/oaicompat"
)

// WriteStreamError ends a stream in the dialect its headers name.
func TestWriteStreamError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		requestID string // the request-id header a Messages route sets
		want      string
	}{
		{"openai", "", `data: {"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}` + "\n\n" + "data: [DONE]\n\n"},
		{"anthropic", "req_1", "event: error\n" + `data: {"type":"error","error":{"type":"api_error","message":"The server had an error while processing your request. Sorry about that!"},"request_id":"req_1"}` + "\n\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			if tc.requestID != "" {
				rec.Header().Set("request-id", tc.requestID)
			}
			if err := oaicompat.WriteStreamError(rec, errors.New("boom")); err != nil {
				t.Fatal(err)
			}
			if got := rec.Body.String(); got != tc.want {
				t.Errorf("frame\n got %q\nwant %q", got, tc.want)
			}
			if !rec.Flushed {
				t.Error("not flushed")
			}
		})
	}
}
