package oaitest

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/oaicompat/oaicompat"
)

// Quota limits what the mock serves per window of its Clock, as OpenAI's
// rate limits do: at most Requests requests and Tokens tokens (prompt plus
// completion) per Window; zero means no limit. A request over the quota is
// answered 429 (type "requests" or "tokens", code rate_limit_exceeded) with
// Retry-After until the window ends; every response carries the
// x-ratelimit-limit-*, x-ratelimit-remaining-* and x-ratelimit-reset-*
// headers. A zero Window never resets. Quota failures are answers, not
// test failures.
type Quota struct {
	Requests int
	Tokens   int
	Window   time.Duration
}

type quotaState struct {
	start    time.Time
	requests int
	tokens   int
}

// takeQuota counts a request against the quota, or answers it 429.
func (m *Mock) takeQuota(c *call) error {
	q := m.cfg.quota
	if q == nil {
		return nil
	}
	now := m.cfg.clock.Now()
	m.mu.Lock()
	st := &m.quota
	if st.start.IsZero() || q.Window > 0 && !now.Before(st.start.Add(q.Window)) {
		*st = quotaState{start: now}
	}
	reset := time.Duration(0)
	if q.Window > 0 {
		reset = st.start.Add(q.Window).Sub(now)
	}
	var e *oaicompat.Error
	switch {
	case q.Requests > 0 && st.requests >= q.Requests:
		e = &oaicompat.Error{Status: http.StatusTooManyRequests, Type: oaicompat.TypeRateLimit, Code: "rate_limit_exceeded", Message: fmt.Sprintf("Rate limit reached for requests: limit %d, used %d.", q.Requests, st.requests)}

	case q.Tokens > 0 && st.tokens >= q.Tokens:
		e = &oaicompat.Error{Status: http.StatusTooManyRequests, Type: oaicompat.TypeTokens, Code: "rate_limit_exceeded", Message: fmt.Sprintf("Rate limit reached for tokens: limit %d, used %d.", q.Tokens, st.tokens)}

	default:
		st.requests++
	}
	remReq, remTok := max(q.Requests-st.requests, 0), max(q.Tokens-st.tokens, 0)
	m.mu.Unlock()

	if q.Requests > 0 {
		c.fw.addHeader("X-Ratelimit-Limit-Requests", strconv.Itoa(q.Requests))
		c.fw.addHeader("X-Ratelimit-Remaining-Requests", strconv.Itoa(remReq))
		c.fw.addHeader("X-Ratelimit-Reset-Requests", reset.String())
	}
	if q.Tokens > 0 {
		c.fw.addHeader("X-Ratelimit-Limit-Tokens", strconv.Itoa(q.Tokens))
		c.fw.addHeader("X-Ratelimit-Remaining-Tokens", strconv.Itoa(remTok))
		c.fw.addHeader("X-Ratelimit-Reset-Tokens", reset.String())
	}
	if e != nil && reset > 0 {
		secs := int64((reset + time.Second - 1) / time.Second)
		c.fw.addHeader("Retry-After", strconv.FormatInt(secs, 10))
		c.fw.addHeader("Retry-After-Ms", strconv.FormatInt(reset.Milliseconds(), 10))
	}
	if e != nil {
		return e
	}
	return nil
}

// chargeQuota counts the tokens of a served request.
func (m *Mock) chargeQuota(tokens int) {
	if m.cfg.quota == nil {
		return
	}
	m.mu.Lock()
	m.quota.tokens += tokens
	m.mu.Unlock()
}
