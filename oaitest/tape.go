package oaitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Tape is a recording of exchanges with an OpenAI-compatible API, stored
// as readable YAML (conventionally testdata/NAME.oaitape.yaml): each
// request canonicalised (JSON with sorted keys, ignored fields removed),
// each response with its status, the headers clients act on, and either
// its body or its SSE events with the time each arrived, in milliseconds
// since the request was sent. Credentials are never stored.
type Tape struct {
	Interactions []Interaction `yaml:"interactions"`
}

// Interaction is one request and its response.
type Interaction struct {
	Request  TapeRequest  `yaml:"request"`
	Response TapeResponse `yaml:"response"`
}

// TapeRequest is a recorded request. Body is canonical JSON.
type TapeRequest struct {
	Method string `yaml:"method"`
	Path   string `yaml:"path"`
	Body   string `yaml:"body,omitempty"`
}

// TapeResponse is a recorded response: Body for a plain response, Events
// for an SSE stream.
type TapeResponse struct {
	Status int               `yaml:"status"`
	Header map[string]string `yaml:"header,omitempty"`
	Body   string            `yaml:"body,omitempty"`
	Events []TapeEvent       `yaml:"events,omitempty"`
}

// TapeEvent is one SSE event: its text without the blank line that ends it
// (e.g. `data: {...}`), and when it arrived.
type TapeEvent struct {
	AtMS int64  `yaml:"at_ms"`
	Data string `yaml:"data"`
}

// keptHeaders are the response headers a tape keeps: those clients act on.
// Everything else (request ids, organisation, cookies) is dropped.
var keptHeaders = []string{"Content-Type", "Retry-After", "Retry-After-Ms", "X-Should-Retry",
	"X-Ratelimit-Limit-Requests", "X-Ratelimit-Limit-Tokens", "X-Ratelimit-Remaining-Requests",
	"X-Ratelimit-Remaining-Tokens", "X-Ratelimit-Reset-Requests", "X-Ratelimit-Reset-Tokens"}

func keepHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for _, k := range keptHeaders {
		if v := h.Get(k); v != "" {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// LoadTape reads a tape file.
func LoadTape(path string) (*Tape, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t Tape
	if err := yaml.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("oaitest: tape %s: %w", path, err)
	}
	return &t, nil
}

// apiKeyPattern matches strings that look like OpenAI API keys.
var apiKeyPattern = regexp.MustCompile(`sk-[A-Za-z0-9_-]{16,}`)

// Save writes the tape to path, creating its directory. It refuses, writing
// nothing, when the tape contains anything that looks like an API key or
// any of the given secrets.
func (t *Tape) Save(path string, secrets ...string) error {
	b, err := t.Marshal()
	if err != nil {
		return err
	}
	if err := checkSecrets(b, secrets); err != nil {
		return fmt.Errorf("oaitest: refusing to write tape %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// Marshal returns the tape as YAML.
func (t *Tape) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("# oaitest tape: recorded requests and responses; times are ms since each request.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(t); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

func checkSecrets(b []byte, secrets []string) error {
	if loc := apiKeyPattern.FindIndex(b); loc != nil {
		line := bytes.Count(b[:loc[0]], []byte("\n")) + 1
		return fmt.Errorf("line %d holds something that looks like an API key (%s…)", line, b[loc[0]:loc[0]+6])
	}
	for _, s := range secrets {
		if len(s) >= 8 && bytes.Contains(b, []byte(s)) {
			line := bytes.Count(b[:bytes.Index(b, []byte(s))], []byte("\n")) + 1
			return fmt.Errorf("line %d holds the upstream API key", line)
		}
	}
	return nil
}

// canonical returns body as indented JSON with sorted keys and the
// ignored fields (dotted paths) removed; a body that is not JSON is
// returned as is.
func canonical(body []byte, ignore []string) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return ""
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return string(body)
	}
	for _, path := range ignore {
		deletePath(v, strings.Split(path, "."))
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return string(body)
	}
	return string(b)
}

func deletePath(v any, path []string) {
	obj, ok := v.(map[string]any)
	if !ok || len(path) == 0 {
		return
	}
	if len(path) == 1 {
		delete(obj, path[0])
		return
	}
	deletePath(obj[path[0]], path[1:])
}

// lineDiff returns the lines that differ between want and got, prefixed
// with "-" (only in want) and "+" (only in got), from a longest common
// subsequence of lines.
func lineDiff(want, got string) string {
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			i++
			j++
		case j < len(b) && (i == len(a) || lcs[i][j+1] >= lcs[i+1][j]):
			out = append(out, "+ "+b[j])
			j++
		default:
			out = append(out, "- "+a[i])
			i++
		}
	}
	return strings.Join(out, "\n")
}
