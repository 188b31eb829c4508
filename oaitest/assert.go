package oaitest

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// AssertRoles checks that r's messages have exactly these roles, in order.
func AssertRoles(t testing.TB, r *Request, roles ...string) {
	t.Helper()
	if got := r.Roles(); !reflect.DeepEqual(got, roles) && !(len(got) == 0 && len(roles) == 0) {
		t.Errorf("request #%d: roles = %q, want %q", r.Seq, got, roles)
	}
}

// AssertToolResult checks that r carries a tool message answering the call
// with id idOrName (or a call of the function idOrName) whose content
// matches p.
func AssertToolResult(t testing.TB, r *Request, idOrName string, p Pattern) {
	t.Helper()
	var seen []string
	for _, tr := range r.ToolResults() {
		if tr.CallID != idOrName && tr.Name != idOrName {
			continue
		}
		if p.match(tr.Content) {
			return
		}
		seen = append(seen, strconv.Quote(clip(tr.Content)))
	}
	if seen == nil {
		t.Errorf("request #%d: no tool result for %q (tool results: %+v)", r.Seq, idOrName, r.ToolResults())
		return
	}
	t.Errorf("request #%d: tool result for %q: want content that %s, got %v", r.Seq, idOrName, p, seen)
}

// AssertParam checks that the request body has want at path (see
// Request.Param); values are compared as JSON, so 0.2 equals 0.2 whatever
// Go type want has. A nil want checks that the field is absent or null.
func AssertParam(t testing.TB, r *Request, path string, want any) {
	t.Helper()
	got, ok := r.Param(path)
	if want == nil {
		if ok && got != nil {
			t.Errorf("request #%d: %s = %v, want it absent", r.Seq, path, got)
		}
		return
	}
	wb, err := json.Marshal(want)
	if err != nil {
		t.Fatalf("AssertParam: %v", err)
	}
	var w any
	_ = json.Unmarshal(wb, &w)
	if !ok {
		t.Errorf("request #%d: %s is absent, want %s", r.Seq, path, wb)
		return
	}
	if !reflect.DeepEqual(got, w) {
		gb, _ := json.Marshal(got)
		t.Errorf("request #%d: %s = %s, want %s", r.Seq, path, gb, wb)
	}
}

// retries pairs each request with the retry that followed it, if any.
func retries(journal []*Request) map[*Request]*Request {
	next := map[*Request]*Request{}
	for i, r := range journal {
		for _, later := range journal[i+1:] {
			if later.Method == r.Method && later.Path == r.Path && later.Attempt == r.Attempt+1 && string(later.Body) == string(r.Body) {
				next[r] = later
				break
			}
		}
	}
	return next
}

// AssertRetried checks that the client retried at least one request the
// mock answered with status.
func (m *Mock) AssertRetried(t testing.TB, status int) {
	t.Helper()
	journal := m.Requests()
	next := retries(journal)
	answered := 0
	for _, r := range journal {
		if r.Status == status {
			answered++
			if next[r] != nil {
				return
			}
		}
	}
	t.Errorf("oaitest: no request answered %d was retried (%d answered %d)", status, answered, status)
}

// AssertNotRetried checks that the client retried no request the mock
// answered with status.
func (m *Mock) AssertNotRetried(t testing.TB, status int) {
	t.Helper()
	journal := m.Requests()
	next := retries(journal)
	for _, r := range journal {
		if r.Status == status && next[r] != nil {
			t.Errorf("oaitest: request #%d answered %d was retried as request #%d", r.Seq, status, next[r].Seq)
		}
	}
}

// AssertBackoff checks the client's retries: each retry came no sooner
// than the delay the previous answer asked for (retry-after-ms, else
// Retry-After in seconds or as a date), and X-Stainless-Retry-Count, when
// the client sends it, counts 0, 1, 2, ... over the attempts.
func (m *Mock) AssertBackoff(t testing.TB) {
	t.Helper()
	journal := m.Requests()
	for prev, r := range retries(journal) {
		if wait, ok := retryAfter(prev.ResponseHeader, prev.At); ok {
			if gap := r.At.Sub(prev.At); gap < wait {
				t.Errorf("oaitest: request #%d retried #%d after %v, but the answer asked to wait %v", r.Seq, prev.Seq, gap, wait)
			}
		}
		if prev.RetryCount >= 0 && r.RetryCount != prev.RetryCount+1 {
			t.Errorf("oaitest: X-Stainless-Retry-Count went from %d (request #%d) to %d (request #%d)", prev.RetryCount, prev.Seq, r.RetryCount, r.Seq)
		}
	}
}

// retryAfter reads the delay asked for by a response sent at `at`.
func retryAfter(h http.Header, at time.Time) (time.Duration, bool) {
	if ms, err := strconv.ParseFloat(h.Get("Retry-After-Ms"), 64); err == nil {
		return time.Duration(ms * float64(time.Millisecond)), true
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		return time.Duration(s * float64(time.Second)), true
	}
	if d, err := http.ParseTime(v); err == nil {
		return d.Sub(at), true
	}
	return 0, false
}
