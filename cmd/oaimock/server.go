package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/oaicompat/oaicompat/oaitest"
)

// server is oaimock's handler: the control API under /__oaimock/, then
// the tapes, then the mock's rules.
type server struct {
	config string   // scenario path, "" for none
	tapes  []string // tapes from flags
	logf   func(format string, args ...any)
	ctl    http.Handler

	mu   sync.Mutex
	mock *oaitest.Mock
	api  http.Handler // tapes in front of mock
}

func newServer(config string, tapes []string, logf func(string, ...any)) (*server, error) {
	s := &server{config: config, tapes: tapes, logf: logf}
	if err := s.load(); err != nil {
		return nil, err
	}
	s.ctl = s.controlAPI()
	return s, nil
}

// loadScenario reads a scenario file in YAML or JSON.
func loadScenario(path string) (*oaitest.Scenario, error) {
	return loadFile("scenario", path, oaitest.ParseScenario)
}

// loadTape reads a tape file in JSON (as oaitest writes it) or YAML.
func loadTape(path string) (*oaitest.Tape, error) {
	return loadFile("tape", path, oaitest.ParseTape)
}

// loadFile reads a YAML or JSON file and parses it as JSON.
func loadFile[T any](kind, path string, parse func([]byte) (T, error)) (T, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		b, err = toJSON(b)
	}
	var v T
	if err == nil {
		v, err = parse(b)
	}
	if err != nil {
		return v, fmt.Errorf("%s %s: %w", kind, path, err)
	}
	return v, nil
}

// load (re)builds the mock from the scenario and the tapes.
func (s *server) load() error {
	sc := &oaitest.Scenario{}
	dir := "."
	if s.config != "" {
		var err error
		if sc, err = loadScenario(s.config); err != nil {
			return err
		}
		dir = filepath.Dir(s.config)
	}
	opts := append(sc.Options(), oaitest.WithReporter(func(msg string) { s.logf("%s", msg) }))
	if s.config == "" {
		opts = append(opts, oaitest.WithFallback(oaitest.Auto()))
	}
	mock := oaitest.New(opts...)
	if err := sc.Apply(mock); err != nil {
		return err
	}
	var api http.Handler = mock
	paths, speed := sc.Tapes()
	for i := range paths {
		if !filepath.IsAbs(paths[i]) {
			paths[i] = filepath.Join(dir, paths[i])
		}
	}
	paths = append(paths, s.tapes...)
	for i := len(paths) - 1; i >= 0; i-- {
		tape, err := loadTape(paths[i])
		if err != nil {
			return err
		}
		api = oaitest.NewReplayer(tape, oaitest.ReplaySpeed(speed), oaitest.OnMiss(api))
	}
	s.mu.Lock()
	old := s.mock
	s.mock, s.api = mock, api
	s.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return nil
}

func (s *server) current() (*oaitest.Mock, http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mock, s.api
}

func (s *server) close() {
	m, _ := s.current()
	m.Close()
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, controlPrefix) {
		s.ctl.ServeHTTP(w, r)
		return
	}
	_, api := s.current()
	api.ServeHTTP(w, r)
}
