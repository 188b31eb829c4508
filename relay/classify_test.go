package relay

import (
	"net/http"
	"testing"
	"time"
)

func TestClassifyStatus(t *testing.T) {
	for _, tc := range []struct {
		status    int
		typ, code string
		want      class
	}{
		{400, "invalid_request_error", "", classFatal},
		{404, "invalid_request_error", "model_not_found", classFatal},
		{413, "", "", classFatal},
		{422, "", "", classFatal},
		{401, "invalid_request_error", "invalid_api_key", classAuth},
		{402, "", "", classAuth},
		{403, "request_forbidden", "", classAuth},
		{429, "requests", "rate_limit_exceeded", classRateLimit},
		{429, "insufficient_quota", "insufficient_quota", classAuth},
		{408, "", "", classTimeout},
		{409, "", "", classServer},
		{500, "server_error", "", classServer},
		{502, "", "", classServer},
		{503, "", "", classServer},
		{504, "", "", classServer},
		{529, "overloaded_error", "", classServer},
	} {
		if got := classifyStatus(tc.status, tc.typ, tc.code); got != tc.want {
			t.Errorf("%d %s %s: %s, want %s", tc.status, tc.typ, tc.code, got, tc.want)
		}
	}
}

func TestClassifyInBand(t *testing.T) {
	for _, tc := range []struct {
		typ, code string
		want      class
	}{
		{"server_error", "", classServer},
		{"overloaded_error", "", classServer},
		{"", "", classServer},
		{"requests", "rate_limit_exceeded", classRateLimit},
		{"rate_limit_error", "", classRateLimit},
		{"insufficient_quota", "", classAuth},
		{"invalid_request_error", "context_length_exceeded", classFatal},
		{"", "content_filter", classFatal},
	} {
		if got := classifyInBand(tc.typ, tc.code); got != tc.want {
			t.Errorf("%q %q: %s, want %s", tc.typ, tc.code, got, tc.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		header map[string]string
		want   time.Duration
		ok     bool
	}{
		{map[string]string{"Retry-After-Ms": "1500", "Retry-After": "9"}, 1500 * time.Millisecond, true},
		{map[string]string{"Retry-After-Ms": "12.5"}, 12500 * time.Microsecond, true},
		{map[string]string{"X-Ms-Retry-After-Ms": "200"}, 200 * time.Millisecond, true},
		{map[string]string{"Retry-After": "3"}, 3 * time.Second, true},
		{map[string]string{"Retry-After": "0.25"}, 250 * time.Millisecond, true},
		{map[string]string{"Retry-After": now.Add(7 * time.Second).Format(http.TimeFormat)}, 7 * time.Second, true},
		{map[string]string{"Retry-After": now.Add(-7 * time.Second).Format(http.TimeFormat)}, 0, true},
		{map[string]string{"Retry-After-Ms": "soon", "Retry-After": "2"}, 2 * time.Second, true},
		{map[string]string{"Retry-After": "-1"}, 0, false},
		{map[string]string{"Retry-After": "tomorrow"}, 0, false},
		{map[string]string{}, 0, false},
	} {
		h := http.Header{}
		for k, v := range tc.header {
			h.Set(k, v)
		}
		got, ok := retryAfter(h, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%v: %v %v, want %v %v", tc.header, got, ok, tc.want, tc.ok)
		}
	}
}

func TestBackoff(t *testing.T) {
	base, max := 100*time.Millisecond, time.Second
	for n, want := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		want *= time.Millisecond
		lo, hi := backoff(base, max, n, 0), backoff(base, max, n, 0.999999)
		if lo != want*8/10 || hi < want*119/100 || hi >= want*12/10 {
			t.Errorf("retry %d: [%v, %v], want [%v, %v)", n, lo, hi, want*8/10, want*12/10)
		}
	}
}
