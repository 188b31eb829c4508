package oaitest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/anthropic"
)

// Mock is the mock engine: an http.Handler serving the OpenAI API under
// /v1 from rules, with a journal of every request. NewServer runs one on a
// loopback test server; New returns one to mount elsewhere (cmd/oaimock
// does). All methods are safe for concurrent use.
type Mock struct {
	cfg       config
	handler   http.Handler
	done      chan struct{} // closed by Close: releases hanging replies
	closeOnce sync.Once
	srv       *httptest.Server

	mu       sync.Mutex
	rules    []*Rule
	ruleSeq  int // rules added so far
	nextSeq  int
	journal  []*Request
	failures []string
	ids      map[string]int
	quota    quotaState
}

// New returns a Mock that is not listening anywhere: serve it with any
// http.Server, or call its ServeHTTP. Failures are kept for Failures and
// passed to the WithReporter function, if any.
func New(opts ...Option) *Mock {
	m := &Mock{cfg: defaultConfig(), done: make(chan struct{}), ids: map[string]int{}}
	for _, o := range opts {
		o(&m.cfg)
	}
	hopts := []oaicompat.Option{
		oaicompat.WithIDGenerator(m.newID),
		oaicompat.WithClock(m.cfg.clock.Now),
		oaicompat.WithKeepAlive(m.cfg.keepAlive),
		// A mock must be able to play a model that breaks the requested
		// schema or tool choice, so that client code's handling is testable;
		// Auto replies are schema-valid by construction.
		oaicompat.WithoutOutputChecks(),
		// Stored responses are private to the API key that created them,
		// as OpenAI keeps them to a project.
		oaicompat.WithOwner(keyOwner),
	}
	if !m.cfg.strictModels {
		// A mock plays any model unless the test asks otherwise.
		hopts = append(hopts, oaicompat.WithAnyModel())
	}
	m.handler = oaicompat.NewHandler(backend{m}, append(hopts, m.cfg.handlerOpts...)...)
	return m
}

// NewServer starts a Mock on a loopback httptest server for the test t.
// Failures (strict-mode violations, unmatched requests) are reported with
// t.Errorf as they happen; at cleanup the server is closed and every rule
// that expected more calls fails the test too.
func NewServer(t testing.TB, opts ...Option) *Mock {
	t.Helper()
	report := WithReporter(func(msg string) { t.Errorf("%s", msg) })
	m := New(append([]Option{report}, opts...)...)
	m.srv = httptest.NewServer(m)
	t.Cleanup(func() {
		m.Close()
		for _, msg := range m.Unmet() {
			t.Errorf("%s", msg)
		}
	})
	return m
}

// URL returns the base URL clients use, ending in /v1, e.g.
// "http://127.0.0.1:40321/v1". It is "" for a Mock made with New.
func (m *Mock) URL() string {
	if m.srv == nil {
		return ""
	}
	return m.srv.URL + "/v1"
}

// RootURL returns the server's root URL, e.g. "http://127.0.0.1:40321":
// the base URL of Anthropic clients, which add /v1/messages themselves.
// It is "" for a Mock made with New.
func (m *Mock) RootURL() string {
	if m.srv == nil {
		return ""
	}
	return m.srv.URL
}

// HTTPClient returns an *http.Client for the server, closed with it.
func (m *Mock) HTTPClient() *http.Client {
	if m.srv == nil {
		return http.DefaultClient
	}
	return m.srv.Client()
}

// Close releases hanging and stalled replies and, for NewServer, shuts the
// server down and waits for its handlers. NewServer's cleanup calls it.
func (m *Mock) Close() {
	m.closeOnce.Do(func() {
		close(m.done)
		if m.srv != nil {
			m.srv.Close()
		}
	})
}

// On adds a rule for requests satisfying match (every chat request when
// match is nil). Without Reply the rule answers Auto once.
func (m *Mock) On(match *Match) *Rule {
	r := &Rule{match: match}
	r.setReplies(nil)
	m.Add(r)
	return r
}

// Add adds rules built with Turn (or by a Scenario) after the rules
// already added: a request gets the first rule that matches it and can
// still answer.
func (m *Mock) Add(rules ...*Rule) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rules = append(m.rules, m.adopt(rules)...)
}

// Prepend adds rules, in the order given, before the rules already added,
// so that they take precedence over them: a rule added while a test runs
// can override a catch-all set up front.
func (m *Mock) Prepend(rules ...*Rule) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rules = append(m.adopt(rules), m.rules...)
}

// Rules returns the rules in the order they are tried.
func (m *Mock) Rules() []*Rule {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*Rule(nil), m.rules...)
}

// adopt attaches rules to m, numbering them in the order they were added
// (the number names an unnamed rule); m.mu is held.
func (m *Mock) adopt(rules []*Rule) []*Rule {
	for _, r := range rules {
		if r.match == nil {
			r.match = Chat()
		}
		r.m = m
		m.ruleSeq++
		r.seq = m.ruleSeq
	}
	return rules
}

// Script adds turns that must happen in order: turn k answers only after
// turn k-1 got all the calls it expects. It suits agent loops:
//
//	mock.Script(
//		oaitest.Turn(oaitest.Chat().LastUser(oaitest.Contains("weather")), oaitest.ToolCalls(oaitest.Call("get_weather", `{"city":"Paris"}`))),
//		oaitest.Turn(oaitest.Chat().ToolResult("get_weather"), oaitest.Text("22°C and sunny.")),
//	)
func (m *Mock) Script(turns ...*Rule) {
	m.Add(chain(turns)...)
}

// chain makes each turn wait for the one before it.
func chain(turns []*Rule) []*Rule {
	for i := 1; i < len(turns); i++ {
		turns[i].after = turns[i-1]
	}
	return turns
}

// Requests returns a snapshot of the journal, in order of arrival.
func (m *Mock) Requests() []*Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*Request, len(m.journal))
	for i, r := range m.journal {
		out[i] = r.clone()
	}
	return out
}

// LastRequest returns the last request received, or nil.
func (m *Mock) LastRequest() *Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.journal) == 0 {
		return nil
	}
	return m.journal[len(m.journal)-1].clone()
}

// Reset forgets rules, journal, failures and quota counters.
func (m *Mock) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rules, m.journal, m.failures, m.nextSeq, m.ruleSeq = nil, nil, nil, 0, 0
	m.ids = map[string]int{}
	m.quota = quotaState{}
}

// Failures returns the failures reported so far and the rules still
// expecting calls.
func (m *Mock) Failures() []string {
	m.mu.Lock()
	out := append([]string(nil), m.failures...)
	m.mu.Unlock()
	return append(out, m.Unmet()...)
}

// Unmet describes every rule that was called fewer times than it expects,
// with the closest request received.
func (m *Mock) Unmet() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, r := range m.rules {
		if msg := r.unmet(); msg != "" {
			out = append(out, "oaitest: "+msg+"; "+closestRequest(r, m.journal))
		}
	}
	return out
}

func (m *Mock) fail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	m.mu.Lock()
	m.failures = append(m.failures, msg)
	report := m.cfg.report
	m.mu.Unlock()
	if report != nil {
		report(msg)
	}
}

// newID makes deterministic ids: chatcmpl-oaitest-000001, call_oaitest-000001, ...
func (m *Mock) newID(prefix string) string {
	m.mu.Lock()
	m.ids[prefix]++
	n := m.ids[prefix]
	m.mu.Unlock()
	return fmt.Sprintf("%soaitest-%06d", prefix, n)
}

// call is the per-request state the backend finds in its context.
type call struct {
	req     *Request
	fw      *faultWriter
	handled bool // the mock's backend saw the request
}

type callKey struct{}

func callFrom(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

// ServeHTTP journals the request, serves it through the oaicompat handler
// with the mock as its Backend, and reports requests the handler rejected.
func (m *Mock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		oaicompat.WriteError(w, oaicompat.InvalidRequest("", "Could not read the request body: %v", err))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	entry := &Request{Method: r.Method, Path: r.URL.Path, Header: redact(r.Header), rawHeader: r.Header.Clone(), Body: body,
		Endpoint: endpointOf(r.URL.Path), At: time.Now(), RetryCount: -1}
	if n, err := strconv.Atoi(r.Header.Get("X-Stainless-Retry-Count")); err == nil {
		entry.RetryCount = n
	}
	if isMessagesPath(r.URL.Path) {
		var req anthropic.Request
		if gojson.Unmarshal(body, &req) == nil {
			req.Raw = body
			entry.Messages = &req
		}
	}
	m.mu.Lock()
	m.nextSeq++
	entry.Seq, entry.Attempt = m.nextSeq, 1
	for _, prev := range m.journal {
		if prev.Method == entry.Method && prev.Path == entry.Path && bytes.Equal(prev.Body, body) {
			entry.Attempt++
		}
	}
	m.journal = append(m.journal, entry)
	m.mu.Unlock()

	fw := newFaultWriter(w, m.cfg.wire)
	c := &call{req: entry, fw: fw}
	ctx, ci := oaicompat.NewCallInfoContext(context.WithValue(r.Context(), callKey{}, c))
	m.handler.ServeHTTP(fw, r.WithContext(ctx))

	m.mu.Lock()
	entry.Status, entry.ResponseHeader, entry.Err = fw.statusCode(), fw.Header().Clone(), fw.answeredError(ci.Err)
	if entry.Chat == nil && entry.Endpoint == EndpointChat && entry.Messages == nil {
		var req oaicompat.ChatRequest
		if gojson.Unmarshal(body, &req) == nil {
			entry.Chat = &req
		}
	}
	e := entry.Err
	rejected := e != nil && !c.handled && !m.cfg.lenient
	m.mu.Unlock()
	if rejected {
		where := ""
		if e.Param != "" {
			where = e.Param + ": "
		}
		m.fail("oaitest: request #%d %s %s was rejected with %d: %s%s", entry.Seq, entry.Method, entry.Path, e.Status, where, e.Message)
	}
}

// keyOwner is the owner of the responses a request stores: a digest of its
// API key (Authorization bearer token, api-key or x-api-key header), so that
// no key is kept; requests without a key share the anonymous owner.
func keyOwner(r *http.Request) string {
	key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	for _, h := range []string{"Api-Key", "X-Api-Key"} {
		if key == "" {
			key = r.Header.Get(h)
		}
	}
	if key == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16])
}
