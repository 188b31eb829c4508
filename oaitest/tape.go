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
)

// Tape is a recording of exchanges with an OpenAI-compatible API, stored
// as indented JSON (conventionally testdata/NAME.oaitape.json): each
// request canonicalised (JSON with sorted keys, ignored fields removed),
// each response with its status, the headers clients act on, and either
// its body or its SSE events with the time each arrived, in milliseconds
// since the request was sent. Credentials are never stored. JSON bodies
// are written as JSON values, not strings, so that a tape reads (and
// diffs) like the traffic it holds. cmd/oaimock also reads tapes written
// in YAML.
type Tape struct {
	Interactions []Interaction `json:"interactions"`
}

// Interaction is one request and its response.
type Interaction struct {
	Request  TapeRequest  `json:"request"`
	Response TapeResponse `json:"response"`
}

// TapeRequest is a recorded request. Body is canonical JSON (or the body
// as sent, when it is not JSON).
type TapeRequest struct {
	Method string
	Path   string
	Body   string
}

// TapeResponse is a recorded response: Body for a plain response, Events
// for an SSE stream.
type TapeResponse struct {
	Status int
	Header map[string]string
	Body   string
	Events []TapeEvent
}

// TapeEvent is one SSE event: its text without the blank line that ends it
// (e.g. `data: {...}`), and when it arrived.
type TapeEvent struct {
	AtMS int64  `json:"at_ms"`
	Data string `json:"data"`
}

// tapeRequestJSON and tapeResponseJSON are the stored forms: a body is a
// JSON value when it is a JSON object or array, else a string.
type tapeRequestJSON struct {
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Body   json.RawMessage `json:"body,omitempty"`
}

type tapeResponseJSON struct {
	Status int               `json:"status"`
	Header map[string]string `json:"header,omitempty"`
	Body   json.RawMessage   `json:"body,omitempty"`
	Events []TapeEvent       `json:"events,omitempty"`
}

// MarshalJSON implements json.Marshaler.
func (r TapeRequest) MarshalJSON() ([]byte, error) {
	return json.Marshal(tapeRequestJSON{Method: r.Method, Path: r.Path, Body: storedBody(r.Body)})
}

// UnmarshalJSON implements json.Unmarshaler; a JSON body is canonicalised,
// so that a hand-edited tape still matches what clients send.
func (r *TapeRequest) UnmarshalJSON(b []byte) error {
	var j tapeRequestJSON
	if err := strictUnmarshal(b, &j); err != nil {
		return err
	}
	body, err := loadedBody(j.Body)
	if isJSONContainer(body) { // stored as a value, or as a string in older tapes
		body = canonical([]byte(body), nil)
	}
	*r = TapeRequest{Method: j.Method, Path: j.Path, Body: body}
	return err
}

// MarshalJSON implements json.Marshaler.
func (r TapeResponse) MarshalJSON() ([]byte, error) {
	return json.Marshal(tapeResponseJSON{Status: r.Status, Header: r.Header, Body: storedBody(r.Body), Events: r.Events})
}

// UnmarshalJSON implements json.Unmarshaler; a JSON body is replayed
// compact.
func (r *TapeResponse) UnmarshalJSON(b []byte) error {
	var j tapeResponseJSON
	if err := strictUnmarshal(b, &j); err != nil {
		return err
	}
	body, err := loadedBody(j.Body)
	*r = TapeResponse{Status: j.Status, Header: j.Header, Body: body, Events: j.Events}
	return err
}

// storedBody is body as stored: the JSON value of an object or array,
// else a JSON string; nil when body is empty.
func storedBody(body string) json.RawMessage {
	if body == "" {
		return nil
	}
	if isJSONContainer(body) {
		return json.RawMessage(strings.TrimSpace(body))
	}
	b, _ := json.Marshal(body)
	return b
}

// isJSONContainer reports whether s is a JSON object or array.
func isJSONContainer(s string) bool {
	t := strings.TrimSpace(s)
	return (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Valid([]byte(t))
}

// loadedBody reverses storedBody: a JSON string gives its text, any
// other value its compact encoding.
func loadedBody(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	return rawText(raw)
}

func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
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

// LoadTape reads a tape file (JSON, as Save writes it).
func LoadTape(path string) (*Tape, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := ParseTape(b)
	if err != nil {
		return nil, fmt.Errorf("oaitest: tape %s: %w", path, err)
	}
	return t, nil
}

// ParseTape reads a tape from its JSON form. Unknown keys are errors.
func ParseTape(data []byte) (*Tape, error) {
	var t Tape
	if err := strictUnmarshal(data, &t); err != nil {
		return nil, err
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

// Marshal returns the tape as indented JSON; event times are
// milliseconds since each request was sent.
func (t *Tape) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(t); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
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
