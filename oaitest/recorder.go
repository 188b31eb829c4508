package oaitest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat"
)

// Environment variables of the recorder. A test records when
// OAITEST_RECORD is set to a regular expression matching its name ("." for
// all); it then talks to OAITEST_UPSTREAM_URL (default
// https://api.openai.com/v1) with the key in OAITEST_UPSTREAM_KEY, or else
// OPENAI_API_KEY. The key is only sent upstream, never written.
const (
	EnvRecord      = "OAITEST_RECORD"
	EnvUpstreamURL = "OAITEST_UPSTREAM_URL"
	EnvUpstreamKey = "OAITEST_UPSTREAM_KEY"
)

// A TapeOption configures a Recorder or a Replayer.
type TapeOption func(*tapeConfig)

type tapeConfig struct {
	upstream, key string
	record        bool
	ignore        []string
	speed         float64
	clock         Clock
	scrub         func(*Interaction)
	onMiss        http.Handler
	report        func(string)
	client        *http.Client
}

// RecordFrom makes a Recorder record from the upstream base URL (ending in
// /v1) with key, whatever the environment says. Tests of code that records
// use it with a local fake upstream.
func RecordFrom(baseURL, key string) TapeOption {
	return func(c *tapeConfig) { c.record, c.upstream, c.key = true, strings.TrimSuffix(baseURL, "/"), key }
}

// IgnoreFields leaves request fields (dotted paths such as "user" or
// "metadata.trace_id") out of the canonical request, so that they neither
// reach the tape nor decide whether a replayed request matches.
func IgnoreFields(paths ...string) TapeOption {
	return func(c *tapeConfig) { c.ignore = append(c.ignore, paths...) }
}

// ReplaySpeed scales the recorded timing of streamed events: 1 replays at
// the recorded pace, 2 twice as fast, 0 (the default) at once.
func ReplaySpeed(speed float64) TapeOption { return func(c *tapeConfig) { c.speed = speed } }

// TapeClock sets the clock that measures event times while recording and
// paces them on replay. Default RealClock().
func TapeClock(clock Clock) TapeOption { return func(c *tapeConfig) { c.clock = clock } }

// Scrub edits each interaction before it is written (to remove personal
// data, say). The API-key check still runs after it.
func Scrub(f func(*Interaction)) TapeOption { return func(c *tapeConfig) { c.scrub = f } }

// OnMiss sends requests the tape does not hold to h instead of failing
// (cmd/oaimock falls through to its rules).
func OnMiss(h http.Handler) TapeOption { return func(c *tapeConfig) { c.onMiss = h } }

// ReplayReporter sets where a Replayer reports misses. Default: nowhere.
func ReplayReporter(report func(msg string)) TapeOption {
	return func(c *tapeConfig) { c.report = report }
}

// UpstreamClient sets the HTTP client used to reach the upstream while
// recording. Default http.DefaultClient.
func UpstreamClient(client *http.Client) TapeOption { return func(c *tapeConfig) { c.client = client } }

func newTapeConfig(opts []TapeOption) tapeConfig {
	c := tapeConfig{clock: RealClock(), client: http.DefaultClient}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// Recorder is a loopback server for one test that either records what a
// real upstream answers into a tape, or replays the tape. Point the client
// at URL as at NewServer's.
type Recorder struct {
	t    testing.TB
	path string
	cfg  tapeConfig
	srv  *httptest.Server
	rep  *Replayer // replay mode

	mu       sync.Mutex
	recorded Tape // record mode
}

// NewRecorder starts a Recorder for the tape at path. It records when
// RecordFrom is given or when OAITEST_RECORD matches the test's name (see
// EnvRecord), writing the tape at cleanup; otherwise it replays the tape
// and fails the test on a request the tape does not hold, with a diff
// against the closest recorded request.
func NewRecorder(t testing.TB, path string, opts ...TapeOption) *Recorder {
	t.Helper()
	cfg := newTapeConfig(opts)
	if expr := os.Getenv(EnvRecord); !cfg.record && expr != "" {
		if ok, err := regexp.MatchString(expr, t.Name()); err != nil {
			t.Fatalf("oaitest: %s=%q: %v", EnvRecord, expr, err)
		} else if ok {
			cfg.record = true
			cfg.upstream = strings.TrimSuffix(envOr(EnvUpstreamURL, "https://api.openai.com/v1"), "/")
			cfg.key = envOr(EnvUpstreamKey, os.Getenv("OPENAI_API_KEY"))
		}
	}
	r := &Recorder{t: t, path: path, cfg: cfg}
	if cfg.record {
		r.srv = httptest.NewServer(http.HandlerFunc(r.record))
		t.Cleanup(func() {
			r.srv.Close()
			r.save()
		})
		return r
	}
	tape, err := LoadTape(path)
	if err != nil {
		t.Fatalf("oaitest: no tape to replay (%v); record it with %s=%s", err, EnvRecord, regexp.QuoteMeta(t.Name()))
	}
	cfg.report = func(msg string) { t.Errorf("%s", msg) }
	r.rep = &Replayer{tape: tape, cfg: cfg, used: make([]bool, len(tape.Interactions))}
	r.srv = httptest.NewServer(r.rep)
	t.Cleanup(r.srv.Close)
	return r
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// URL returns the base URL clients use, ending in /v1.
func (r *Recorder) URL() string { return r.srv.URL + "/v1" }

// HTTPClient returns an *http.Client for the server.
func (r *Recorder) HTTPClient() *http.Client { return r.srv.Client() }

// Recording reports whether the recorder records (rather than replays).
func (r *Recorder) Recording() bool { return r.cfg.record }

// record proxies one request upstream and records the exchange.
func (r *Recorder) record(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		oaicompat.WriteError(w, oaicompat.InvalidRequest("", "Could not read the request body: %v", err))
		return
	}
	it := Interaction{Request: TapeRequest{Method: req.Method, Path: req.URL.Path, Body: canonical(body, r.cfg.ignore)}}
	up, err := http.NewRequestWithContext(req.Context(), req.Method, r.cfg.upstream+strings.TrimPrefix(req.URL.Path, "/v1"), bytes.NewReader(body))
	if err != nil {
		oaicompat.WriteError(w, oaicompat.ServerError(err.Error()))
		return
	}
	for _, k := range []string{"Content-Type", "Accept"} {
		if v := req.Header.Get(k); v != "" {
			up.Header.Set(k, v)
		}
	}
	if r.cfg.key != "" {
		up.Header.Set("Authorization", "Bearer "+r.cfg.key)
	}
	start := r.cfg.clock.Now()
	resp, err := r.cfg.client.Do(up)
	if err != nil {
		r.t.Errorf("oaitest: recording %s %s: %v", req.Method, req.URL.Path, err)
		oaicompat.WriteError(w, &oaicompat.Error{Status: http.StatusBadGateway, Type: oaicompat.TypeServerError, Message: "oaitest recorder: upstream unreachable"})
		return
	}
	defer resp.Body.Close()
	// The slot is taken now, not when the body ends: a client that goes on
	// as soon as it reads a stream's last event must not see its next
	// request taped before the stream.
	r.mu.Lock()
	slot := len(r.recorded.Interactions)
	r.recorded.Interactions = append(r.recorded.Interactions, Interaction{})
	r.mu.Unlock()
	it.Response = TapeResponse{Status: resp.StatusCode, Header: keepHeaders(resp.Header)}
	for k, v := range it.Response.Header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(resp.StatusCode)
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		rc := http.NewResponseController(w)
		err = readEvents(resp.Body, func(event string) error {
			it.Response.Events = append(it.Response.Events, TapeEvent{AtMS: r.cfg.clock.Now().Sub(start).Milliseconds(), Data: event})
			if _, err := io.WriteString(w, event+"\n\n"); err != nil {
				return err
			}
			return rc.Flush()
		})
	} else {
		var b []byte
		if b, err = io.ReadAll(resp.Body); err == nil {
			it.Response.Body = string(b)
			_, err = w.Write(b)
		}
	}
	if err != nil && req.Context().Err() == nil {
		r.t.Errorf("oaitest: recording %s %s: %v", req.Method, req.URL.Path, err)
	}
	r.mu.Lock()
	r.recorded.Interactions[slot] = it
	r.mu.Unlock()
}

// readEvents calls f with each SSE event of body (the lines before a blank
// line, joined by "\n").
func readEvents(body io.Reader, f func(event string) error) error {
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	var lines []string
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line != "" {
			lines = append(lines, line)
			continue
		}
		if lines != nil {
			if err := f(strings.Join(lines, "\n")); err != nil {
				return err
			}
			lines = nil
		}
	}
	if lines != nil { // a stream cut short keeps its last, unterminated event
		if err := f(strings.Join(lines, "\n")); err != nil {
			return err
		}
	}
	return sc.Err()
}

func (r *Recorder) save() {
	r.mu.Lock()
	tape := r.recorded
	r.mu.Unlock()
	if r.cfg.scrub != nil {
		for i := range tape.Interactions {
			r.cfg.scrub(&tape.Interactions[i])
		}
	}
	if err := tape.Save(r.path, r.cfg.key); err != nil {
		r.t.Errorf("%v", err)
	}
}

// Replayer serves the interactions of a tape: a request matching a
// recorded one (method, path and canonical body; identical requests in
// recorded order) gets the recorded response, its events paced as
// ReplaySpeed says. A request the tape does not hold is reported, with a
// diff against the closest recorded request, and answered 501 with
// x-should-retry: false, unless OnMiss gives a fallback.
type Replayer struct {
	tape *Tape
	cfg  tapeConfig

	mu   sync.Mutex
	used []bool
}

// NewReplayer returns a Replayer of tape.
func NewReplayer(tape *Tape, opts ...TapeOption) *Replayer {
	return &Replayer{tape: tape, cfg: newTapeConfig(opts), used: make([]bool, len(tape.Interactions))}
}

// ServeHTTP implements http.Handler.
func (p *Replayer) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		oaicompat.WriteError(w, oaicompat.InvalidRequest("", "Could not read the request body: %v", err))
		return
	}
	got := TapeRequest{Method: req.Method, Path: req.URL.Path, Body: canonical(body, p.cfg.ignore)}
	it, miss := p.take(got)
	if it == nil {
		if p.cfg.onMiss != nil {
			req.Body = io.NopCloser(bytes.NewReader(body))
			p.cfg.onMiss.ServeHTTP(w, req)
			return
		}
		if p.cfg.report != nil {
			p.cfg.report(miss)
		}
		e := &oaicompat.Error{Status: http.StatusNotImplemented, Type: oaicompat.TypeInvalidRequest, Code: "oaitest_replay_miss", Message: miss}
		e.Header = http.Header{"X-Should-Retry": {"false"}}
		oaicompat.WriteError(w, e)
		return
	}
	for k, v := range it.Response.Header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(it.Response.Status)
	if it.Response.Events == nil {
		_, _ = io.WriteString(w, it.Response.Body)
		return
	}
	rc := http.NewResponseController(w)
	var last int64
	for _, ev := range it.Response.Events {
		if p.cfg.speed > 0 && ev.AtMS > last {
			d := time.Duration(float64(time.Duration(ev.AtMS-last)*time.Millisecond) / p.cfg.speed)
			if p.cfg.clock.Sleep(req.Context(), d) != nil {
				return
			}
		}
		last = ev.AtMS
		if _, err := io.WriteString(w, ev.Data+"\n\n"); err != nil {
			return
		}
		if rc.Flush() != nil {
			return
		}
	}
}

// take returns the first unused interaction matching got, or explains the
// miss.
func (p *Replayer) take(got TapeRequest) (*Interaction, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	best, bestDiff, bestLen := -1, "", 0
	for i := range p.tape.Interactions {
		want := p.tape.Interactions[i].Request
		if want.Method != got.Method || want.Path != got.Path {
			continue
		}
		if want.Body == got.Body {
			if !p.used[i] {
				p.used[i] = true
				return &p.tape.Interactions[i], ""
			}
			if best < 0 {
				best, bestDiff, bestLen = i, "(the recorded request was already replayed)", 0
			}
			continue
		}
		diff := lineDiff(want.Body, got.Body)
		if n := strings.Count(diff, "\n") + 1; best < 0 || n < bestLen {
			best, bestDiff, bestLen = i, diff, n
		}
	}
	if best < 0 {
		return nil, fmt.Sprintf("oaitest: replay miss: the tape holds no %s %s request", got.Method, got.Path)
	}
	return nil, fmt.Sprintf("oaitest: replay miss for %s %s; closest recorded request #%d differs (- recorded, + sent):\n%s",
		got.Method, got.Path, best+1, bestDiff)
}
