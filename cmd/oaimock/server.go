package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/oaicompat/oaicompat/oaitest"
)

// server is oaimock's handler: the control API under /__oaimock/, then
// the tapes, then the mock's rules.
type server struct {
	config string   // scenario path, "" for none
	tapes  []string // tapes from flags
	logf   func(format string, args ...any)

	mu   sync.Mutex
	mock *oaitest.Mock
	api  http.Handler // tapes in front of mock
	ctl  *http.ServeMux
}

func newServer(config string, tapes []string, logf func(string, ...any)) (*server, error) {
	s := &server{config: config, tapes: tapes, logf: logf, ctl: http.NewServeMux()}
	if err := s.load(); err != nil {
		return nil, err
	}
	s.ctl.HandleFunc("GET /__oaimock/journal", s.journal)
	s.ctl.HandleFunc("GET /__oaimock/failures", s.failures)
	s.ctl.HandleFunc("POST /__oaimock/rules", s.addRules)
	s.ctl.HandleFunc("POST /__oaimock/reset", s.reset)
	s.ctl.HandleFunc("/__oaimock/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "unknown control endpoint; see go doc github.com/oaicompat/oaicompat/cmd/oaimock", http.StatusNotFound)
	})
	return s, nil
}

// load (re)builds the mock from the scenario and the tapes.
func (s *server) load() error {
	sc := &oaitest.Scenario{}
	dir := "."
	if s.config != "" {
		var err error
		if sc, err = oaitest.LoadScenario(s.config); err != nil {
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
		tape, err := oaitest.LoadTape(paths[i])
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
	if len(r.URL.Path) >= len("/__oaimock/") && r.URL.Path[:len("/__oaimock/")] == "/__oaimock/" {
		s.ctl.ServeHTTP(w, r)
		return
	}
	_, api := s.current()
	api.ServeHTTP(w, r)
}

// journalEntry is the JSON form of an oaitest.Request.
type journalEntry struct {
	Seq        int                 `json:"seq"`
	Method     string              `json:"method"`
	Path       string              `json:"path"`
	Endpoint   string              `json:"endpoint"`
	API        string              `json:"api,omitempty"`
	Header     map[string][]string `json:"headers"`
	Body       json.RawMessage     `json:"body,omitempty"`
	BodyText   string              `json:"body_text,omitempty"`
	Attempt    int                 `json:"attempt"`
	RetryCount int                 `json:"retry_count"`
	At         time.Time           `json:"at"`
	Rule       string              `json:"rule"`
	Status     int                 `json:"status"`
	Error      *journalError       `json:"error,omitempty"`
}

type journalError struct {
	Type    string `json:"type"`
	Code    string `json:"code,omitempty"`
	Param   string `json:"param,omitempty"`
	Message string `json:"message"`
}

func (s *server) journal(w http.ResponseWriter, r *http.Request) {
	m, _ := s.current()
	reqs := m.Requests()
	out := make([]journalEntry, len(reqs))
	for i, q := range reqs {
		e := journalEntry{Seq: q.Seq, Method: q.Method, Path: q.Path, Endpoint: q.Endpoint, API: q.API, Header: q.Header,
			Attempt: q.Attempt, RetryCount: q.RetryCount, At: q.At, Rule: q.Rule, Status: q.Status}
		if json.Valid(q.Body) {
			e.Body = q.Body
		} else {
			e.BodyText = string(q.Body)
		}
		if q.Err != nil {
			e.Error = &journalError{Type: q.Err.Type, Code: q.Err.Code, Param: q.Err.Param, Message: q.Err.Message}
		}
		out[i] = e
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *server) failures(w http.ResponseWriter, r *http.Request) {
	m, _ := s.current()
	f := m.Failures()
	if f == nil {
		f = []string{}
	}
	writeJSON(w, http.StatusOK, map[string][]string{"failures": f})
}

func (s *server) addRules(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	sc, err := oaitest.ParseScenario(body)
	if err == nil {
		if paths, _ := sc.Tapes(); len(paths) > 0 || len(sc.Options()) > 0 {
			err = fmt.Errorf("only rules and script can be added at run time; restart oaimock to change settings")
		}
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	m, _ := s.current()
	if err := sc.Apply(m); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"status": "added"})
}

func (s *server) reset(w http.ResponseWriter, r *http.Request) {
	if err := s.load(); err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
