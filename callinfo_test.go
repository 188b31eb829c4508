package oaicompat_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat"
)

// TestCallInfoAdmit: a middleware's Admit hook sees the handler's token
// estimate after validation and can refuse the request before the backend
// runs; an invalid request never reaches it.
func TestCallInfoAdmit(t *testing.T) {
	var calls atomic.Int64
	h := oaicompat.NewHandler(oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		calls.Add(1)
		return w.WriteText("hi")
	}))
	body := `{"model":"m","max_tokens":100,"n":2,"messages":[{"role":"user","content":"hello"}]}`
	cases := []struct {
		name       string
		body       string
		refuse     bool
		wantStatus int
		wantAdmit  int // -1: not called
	}{
		{"admitted", body, false, 200, (len(body)+3)/4 + 200},
		{"refused", body, true, 429, (len(body)+3)/4 + 200},
		{"invalid never admitted", `{"model":"m","messages":[]}`, false, 400, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			calls.Store(0)
			got := -1
			mw := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ctx, ci := oaicompat.NewCallInfoContext(r.Context())
				ci.Admit = func(est int) error {
					got = est
					if tc.refuse {
						return oaicompat.RateLimited(time.Second, "Rate limit reached for tokens")
					}
					return nil
				}
				h.ServeHTTP(w, r.WithContext(ctx))
			})
			rec := httptest.NewRecorder()
			mw.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(tc.body)))
			if rec.Code != tc.wantStatus || got != tc.wantAdmit {
				t.Fatalf("status %d admit %d, want %d and %d: %s", rec.Code, got, tc.wantStatus, tc.wantAdmit, rec.Body)
			}
			if ran := calls.Load() > 0; ran != (tc.wantStatus == 200) {
				t.Fatalf("backend ran: %v with status %d", ran, rec.Code)
			}
		})
	}
}
