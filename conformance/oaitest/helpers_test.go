package oaitest_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/oaicompat/oaicompat/oaitest"
)

// failureTB is a testing.TB that records Errorf calls instead of failing,
// so that tests can assert on the failures the mock reports.
type failureTB struct {
	testing.TB
	mu   sync.Mutex
	msgs []string
}

func (f *failureTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, fmt.Sprintf(format, args...))
}

func (f *failureTB) Helper() {}

func (f *failureTB) failures() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.msgs...)
}

// expectFailure checks that exactly one failure was reported and that it
// contains every want.
func expectFailure(t *testing.T, got []string, wants ...string) {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("got %d failures, want 1: %q", len(got), got)
	}
	for _, w := range wants {
		if !strings.Contains(got[0], w) {
			t.Errorf("failure %q does not contain %q", got[0], w)
		}
	}
}

// recordingServer is a NewServer whose failures are recorded, not fatal.
// The returned function closes the server (running its cleanup checks)
// and returns the failures.
func recordingServer(t *testing.T, opts ...oaitest.Option) (*oaitest.Mock, func() []string) {
	ftb := &failureTB{TB: t}
	var once sync.Once
	var cleanups []func()
	ftb.TB = cleanupTB{TB: t, add: func(f func()) { cleanups = append(cleanups, f) }}
	m := oaitest.NewServer(ftb, opts...)
	done := func() []string {
		once.Do(func() {
			for i := len(cleanups) - 1; i >= 0; i-- {
				cleanups[i]()
			}
		})
		return ftb.failures()
	}
	t.Cleanup(func() { done() })
	return m, done
}

// cleanupTB lets recordingServer run the mock's cleanup on demand.
type cleanupTB struct {
	testing.TB
	add func(func())
}

func (c cleanupTB) Cleanup(f func()) { c.add(f) }

// newOpenAI returns an openai-go client for m without retries unless opts
// say otherwise.
func newOpenAI(m *oaitest.Mock, opts ...option.RequestOption) *openai.Client {
	base := []option.RequestOption{option.WithBaseURL(m.URL()), option.WithAPIKey("test-key"),
		option.WithHTTPClient(m.HTTPClient()), option.WithMaxRetries(0)}
	c := openai.NewClient(append(base, opts...)...)
	return &c
}
