package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/oaicompat/oaicompat/oaitest"
)

const controlPrefix = "/__oaimock/"

// controlDoc documents the control API; oaimock -h prints it.
const controlDoc = `Control API (under /__oaimock/, on the same address; bodies in JSON or YAML):

  GET  /__oaimock/journal   every request received, oldest first:
         200 {"object":"list","data":[{"seq":1,"method":"POST","path":"/v1/chat/completions",
              "endpoint":"chat.completions","api":"chat.completions","headers":{...},
              "body":{...},"attempt":1,"retry_count":0,"at":"2025-01-01T00:00:00Z",
              "rule":"weather","status":200,"error":{...}}]}
         headers have credentials redacted; "body_text" replaces "body" when the body is
         not JSON; "error" {"type","code","param","message"} is there when the answer was
         an error; "rule" is the rule that answered ("" for none); "attempt" counts
         identical requests, "retry_count" is the client's X-Stainless-Retry-Count (-1: none).
  GET  /__oaimock/failures  strict-mode violations, unmatched requests, rules still expecting calls:
         200 {"object":"list","data":["oaitest: request #2 ...", ...]}
  GET  /__oaimock/rules     the rules, in the order they are tried:
         200 {"object":"list","data":[{"name":"weather","match":"chat, last user message
              contains \"weather\"","calls":1,"min":1,"max":1}]}      (max null: no limit)
  POST /__oaimock/rules     add rules at run time. Body: a scenario holding only "rules" and/or
         "script" (see scenario.example.yaml), plus an optional "position":
           "first" (default)  before every rule, so they override the scenario's rules,
                              a catch-all included, and rules added earlier
           "last"             after every rule
         201 {"ok":true,"added":2,"position":"first"}
  POST /__oaimock/reset     forget the journal, the failures and the rules added at run time,
         then reload the scenario file and the tapes:
         200 {"ok":true}

  Errors answer {"ok":false,"error":"what went wrong"}: 400 for a bad body, 404 for an unknown
  path, 405 for a wrong method (with Allow), 500 when reset cannot reload the scenario.
`

// route is a control endpoint: /__oaimock/{path}.
type route struct {
	path, method string
	h            http.HandlerFunc
}

// controlRoutes are the control API's routes, as controlDoc lists them.
func (s *server) controlRoutes() []route {
	return []route{
		{"journal", http.MethodGet, s.journal},
		{"failures", http.MethodGet, s.failures},
		{"rules", http.MethodGet, s.listRules},
		{"rules", http.MethodPost, s.addRules},
		{"reset", http.MethodPost, s.reset},
	}
}

// controlAPI routes /__oaimock/ requests; every answer, errors included,
// is JSON.
func (s *server) controlAPI() http.Handler {
	routes := s.controlRoutes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, controlPrefix)
		var allow []string
		for _, rt := range routes {
			if rt.path != name {
				continue
			}
			if rt.method == r.Method || (rt.method == http.MethodGet && r.Method == http.MethodHead) {
				rt.h(w, r)
				return
			}
			allow = append(allow, rt.method)
		}
		if allow != nil {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			controlError(w, http.StatusMethodNotAllowed, "%s %s: use %s", r.Method, r.URL.Path, strings.Join(allow, " or "))
			return
		}
		controlError(w, http.StatusNotFound, "no control endpoint %s; oaimock -h lists them", r.URL.Path)
	})
}

// list is the answer of a listing endpoint.
type list[T any] struct {
	Object string `json:"object"` // "list"
	Data   []T    `json:"data"`
}

func newList[T any](data []T) list[T] {
	if data == nil {
		data = []T{}
	}
	return list[T]{Object: "list", Data: data}
}

// done is the answer of an action; errors set OK false and Error.
type done struct {
	OK       bool   `json:"ok"`
	Error    string `json:"error,omitempty"`
	Added    int    `json:"added,omitempty"`
	Position string `json:"position,omitempty"`
}

func controlError(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, done{Error: fmt.Sprintf(format, args...)})
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
	writeJSON(w, http.StatusOK, newList(out))
}

func (s *server) failures(w http.ResponseWriter, r *http.Request) {
	m, _ := s.current()
	writeJSON(w, http.StatusOK, newList(m.Failures()))
}

// ruleEntry is the JSON form of an oaitest.Rule.
type ruleEntry struct {
	Name  string `json:"name"`
	Match string `json:"match"`
	Calls int    `json:"calls"`
	Min   int    `json:"min"`
	Max   *int   `json:"max"` // null: no limit
}

func (s *server) listRules(w http.ResponseWriter, r *http.Request) {
	m, _ := s.current()
	var out []ruleEntry
	for _, rule := range m.Rules() {
		least, most := rule.Expected()
		e := ruleEntry{Name: rule.Name(), Match: rule.Match().String(), Calls: rule.Calls(), Min: least}
		if most >= 0 {
			e.Max = &most
		}
		out = append(out, e)
	}
	writeJSON(w, http.StatusOK, newList(out))
}

// addRules adds the rules of a scenario document, first unless its
// "position" says "last".
func (s *server) addRules(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		controlError(w, http.StatusBadRequest, "%v", err)
		return
	}
	sc, position, err := runtimeRules(body)
	if err != nil {
		controlError(w, http.StatusBadRequest, "%v", err)
		return
	}
	m, _ := s.current()
	before := len(m.Rules())
	if position == "last" {
		err = sc.Apply(m)
	} else {
		err = sc.Prepend(m)
	}
	if err != nil {
		controlError(w, http.StatusBadRequest, "%v", err)
		return
	}
	writeJSON(w, http.StatusCreated, done{OK: true, Added: len(m.Rules()) - before, Position: position})
}

// runtimeRules reads the body of POST /__oaimock/rules: a scenario with
// rules and/or script only, and the position to add them at.
func runtimeRules(body []byte) (*oaitest.Scenario, string, error) {
	b, err := toJSON(body)
	if err != nil {
		return nil, "", err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, "", fmt.Errorf("want a scenario object with rules and/or script: %w", err)
	}
	position := "first"
	if raw, ok := doc["position"]; ok {
		if err := json.Unmarshal(raw, &position); err != nil || (position != "first" && position != "last") {
			return nil, "", fmt.Errorf(`position %s: want "first" or "last"`, raw)
		}
		delete(doc, "position")
	}
	for k := range doc {
		if k != "rules" && k != "script" {
			return nil, "", fmt.Errorf("%q cannot be set at run time: only rules, script and position can (restart oaimock to change settings)", k)
		}
	}
	if b, err = json.Marshal(doc); err != nil {
		return nil, "", err
	}
	sc, err := oaitest.ParseScenario(b)
	return sc, position, err
}

func (s *server) reset(w http.ResponseWriter, r *http.Request) {
	if err := s.load(); err != nil {
		controlError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, done{OK: true})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
