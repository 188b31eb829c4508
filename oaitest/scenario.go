package oaitest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/oaicompat/oaicompat"
)

// Scenario is a mock setup read from JSON: the model of cmd/oaimock's
// -config file and of the rules its control API accepts (oaimock also
// reads it written in YAML, which it converts to JSON). It mirrors the Go
// API; cmd/oaimock/scenario.example.yaml documents every key. Unknown keys
// are errors.
type Scenario struct {
	doc           scenarioDoc
	rules, script []ruleDoc
}

type scenarioDoc struct {
	Strict             *bool             `json:"strict"`
	AllowUnknownFields bool              `json:"allow_unknown_fields"`
	Models             []scalar          `json:"models"`
	KeepAlive          duration          `json:"keep_alive"`
	SplitWrites        *uint64           `json:"split_writes"`
	Pacing             *pacingDoc        `json:"pacing"`
	Quota              *quotaDoc         `json:"quota"`
	Tapes              []string          `json:"tapes"`
	ReplaySpeed        float64           `json:"replay_speed"`
	Rules              []json.RawMessage `json:"rules"`
	Script             []json.RawMessage `json:"script"`
}

type ruleDoc struct {
	Name    scalar     `json:"name"`
	Match   matchDoc   `json:"match"`
	Times   *timesDoc  `json:"times"`
	Reply   *replyDoc  `json:"reply"`
	Replies []replyDoc `json:"replies"`
}

type matchDoc struct {
	Endpoint   string                `json:"endpoint"`
	API        string                `json:"api"`
	Model      scalar                `json:"model"`
	Stream     *bool                 `json:"stream"`
	LastUser   *patternDoc           `json:"last_user"`
	System     *patternDoc           `json:"system"`
	AnyMessage *patternDoc           `json:"any_message"`
	HasTool    string                `json:"has_tool"`
	ToolResult string                `json:"tool_result"`
	Turn       *int                  `json:"turn"`
	Headers    map[string]patternDoc `json:"headers"`
}

type patternDoc struct {
	Equals   *scalar `json:"equals"`
	Contains *scalar `json:"contains"`
	Regexp   *scalar `json:"regexp"`
}

type replyDoc struct {
	Auto            bool              `json:"auto"`
	Text            *scalar           `json:"text"`
	Refusal         scalar            `json:"refusal"`
	ToolCalls       []toolCallDoc     `json:"tool_calls"`
	JSON            json.RawMessage   `json:"json"`
	Error           *errorDoc         `json:"error"`
	Vectors         [][]float32       `json:"vectors"`
	Images          []imageDoc        `json:"images"`
	Models          []scalar          `json:"models"`
	Hang            bool              `json:"hang"`
	Finish          string            `json:"finish"`
	Reasoning       scalar            `json:"reasoning"`
	StopSequence    scalar            `json:"stop_sequence"`
	Usage           *usageDoc         `json:"usage"`
	Headers         map[string]scalar `json:"headers"`
	RetryAfter      duration          `json:"retry_after"`
	ShouldRetry     *bool             `json:"should_retry"`
	Pacing          *pacingDoc        `json:"pacing"`
	StallAfter      *int              `json:"stall_after"`
	ErrorAfter      *errorAfterDoc    `json:"error_after"`
	DisconnectAfter *int              `json:"disconnect_after"`
	MalformedChunk  int               `json:"malformed_chunk"`
	NoDone          bool              `json:"no_done"`
	SplitWrites     *uint64           `json:"split_writes"`
}

type toolCallDoc struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"` // a JSON string, or any other JSON value (sent compact)
}

type errorDoc struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
	Type    string `json:"type"`
	Code    string `json:"code"`
	Param   string `json:"param"`
}

type errorAfterDoc struct {
	Tokens int `json:"tokens"`
	errorDoc
}

type imageDoc struct {
	URL           string `json:"url"`
	B64           string `json:"b64_json"`
	RevisedPrompt string `json:"revised_prompt"`
}

type usageDoc struct {
	Prompt     int `json:"prompt"`
	Completion int `json:"completion"`
}

type pacingDoc struct {
	TTFT            duration `json:"ttft"`
	PerToken        duration `json:"per_token"`
	TokensPerSecond float64  `json:"tokens_per_second"`
	Jitter          float64  `json:"jitter"`
	Seed            uint64   `json:"seed"`
}

type quotaDoc struct {
	Requests int      `json:"requests"`
	Tokens   int      `json:"tokens"`
	Window   duration `json:"window"`
}

// scalar is a string that may be written as a number or a boolean too
// (a YAML header value 50 or a reply text 42 are meant as text).
type scalar string

func (s *scalar) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err == nil {
		*s = scalar(str)
		return nil
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v.(type) {
	case float64, bool:
		*s = scalar(b)
		return nil
	}
	return fmt.Errorf("%s is not a string", b)
}

func texts(xs []scalar) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// duration reads "1.5s", "300ms" (or a number of seconds).
type duration time.Duration

func (d *duration) UnmarshalJSON(b []byte) error {
	var secs float64
	if json.Unmarshal(b, &secs) == nil {
		*d = duration(secs * float64(time.Second))
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%s is not a duration such as \"1.5s\" or \"300ms\"", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration such as 1.5s or 300ms", s)
	}
	*d = duration(v)
	return nil
}

// timesDoc is a count, or "any".
type timesDoc struct {
	n   int
	any bool
}

func (t *timesDoc) UnmarshalJSON(b []byte) error {
	if string(b) == `"any"` {
		t.any = true
		return nil
	}
	if err := json.Unmarshal(b, &t.n); err != nil || t.n < 0 {
		return fmt.Errorf("times: %s is not a count or \"any\"", b)
	}
	return nil
}

// LoadScenario reads a scenario file written in JSON.
func LoadScenario(path string) (*Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := ParseScenario(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// ParseScenario reads a scenario from JSON and checks it: unknown keys are
// errors, and every rule's match and replies must be well formed. An
// empty document is an empty scenario.
func ParseScenario(data []byte) (*Scenario, error) {
	s := &Scenario{}
	if len(bytes.TrimSpace(data)) == 0 {
		return s, nil
	}
	if err := strictUnmarshal(data, &s.doc); err != nil {
		return nil, fmt.Errorf("oaitest: scenario: %w", err)
	}
	var err error
	if s.rules, err = ruleDocs("rules", s.doc.Rules); err != nil {
		return nil, err
	}
	if s.script, err = ruleDocs("script", s.doc.Script); err != nil {
		return nil, err
	}
	if _, _, err := s.build(); err != nil {
		return nil, err
	}
	return s, nil
}

// ruleDocs decodes rules one by one, so that an error names its rule.
func ruleDocs(key string, raws []json.RawMessage) ([]ruleDoc, error) {
	docs := make([]ruleDoc, len(raws))
	for i, raw := range raws {
		if err := strictUnmarshal(raw, &docs[i]); err != nil {
			return nil, fmt.Errorf("oaitest: scenario: %s[%d]: %w", key, i, err)
		}
	}
	return docs, nil
}

// Options returns the Mock options the scenario sets.
func (s *Scenario) Options() []Option {
	d := &s.doc
	var opts []Option
	if d.Strict != nil && !*d.Strict {
		opts = append(opts, Lenient())
	}
	if d.AllowUnknownFields {
		opts = append(opts, AllowUnknownFields())
	}
	if d.Models != nil {
		opts = append(opts, WithModels(texts(d.Models)...))
	}
	if d.KeepAlive > 0 {
		opts = append(opts, WithKeepAlive(time.Duration(d.KeepAlive)))
	}
	if d.SplitWrites != nil {
		opts = append(opts, WithSplitWrites(*d.SplitWrites))
	}
	if d.Pacing != nil {
		opts = append(opts, WithPacing(d.Pacing.pacing()))
	}
	if q := d.Quota; q != nil {
		opts = append(opts, WithQuota(Quota{Requests: q.Requests, Tokens: q.Tokens, Window: time.Duration(q.Window)}))
	}
	return opts
}

// Tapes returns the tape files the scenario replays, and their speed.
func (s *Scenario) Tapes() ([]string, float64) { return s.doc.Tapes, s.doc.ReplaySpeed }

// Apply adds the scenario's rules and script to m, after m's rules.
func (s *Scenario) Apply(m *Mock) error {
	rules, script, err := s.build()
	if err != nil {
		return err
	}
	m.Add(rules...)
	if len(script) > 0 {
		m.Script(script...)
	}
	return nil
}

// Prepend adds the scenario's rules and script to m before m's rules, so
// that they take precedence over them (over a catch-all rule, say).
func (s *Scenario) Prepend(m *Mock) error {
	rules, script, err := s.build()
	if err != nil {
		return err
	}
	m.Prepend(append(rules, chain(script)...)...)
	return nil
}

// build makes fresh rules from the scenario (rules count their calls, so
// each Apply needs its own).
func (s *Scenario) build() (rules, script []*Rule, err error) {
	for i, rd := range s.rules {
		r, err := rd.rule()
		if err != nil {
			return nil, nil, fmt.Errorf("oaitest: scenario: rules[%d]: %w", i, err)
		}
		rules = append(rules, r)
	}
	for i, rd := range s.script {
		r, err := rd.rule()
		if err != nil {
			return nil, nil, fmt.Errorf("oaitest: scenario: script[%d]: %w", i, err)
		}
		script = append(script, r)
	}
	return rules, script, nil
}

func (rd *ruleDoc) rule() (*Rule, error) {
	match, err := rd.Match.match()
	if err != nil {
		return nil, fmt.Errorf("match: %w", err)
	}
	docs := rd.Replies
	if rd.Reply != nil {
		docs = append([]replyDoc{*rd.Reply}, docs...)
	}
	replies := make([]*Reply, len(docs))
	for i := range docs {
		if replies[i], err = docs[i].reply(); err != nil {
			return nil, fmt.Errorf("replies[%d]: %w", i, err)
		}
	}
	r := Turn(match, replies...)
	r.name = string(rd.Name)
	if t := rd.Times; t != nil {
		if t.any {
			r.min, r.max = 0, -1
		} else {
			r.min, r.max = t.n, t.n
		}
		r.timesSet = true
	}
	return r, nil
}

func (md *matchDoc) match() (*Match, error) {
	var m *Match
	switch md.Endpoint {
	case "", "chat", EndpointChat:
		m = Chat()
	case "embeddings":
		m = Embeddings()
	case "images", EndpointImages:
		m = Images()
	case "models":
		m = Models()
	case "any":
		m = AnyRequest()
	default:
		return nil, fmt.Errorf("endpoint %q: want chat, embeddings, images, models or any", md.Endpoint)
	}
	if md.API != "" {
		m = m.API(md.API)
	}
	if md.Model != "" {
		m = m.Model(string(md.Model))
	}
	if md.Stream != nil {
		m = m.Stream(*md.Stream)
	}
	var err error
	if m, err = withPattern(m, md.LastUser, (*Match).LastUser); err != nil {
		return nil, fmt.Errorf("last_user: %w", err)
	}
	if m, err = withPattern(m, md.System, (*Match).System); err != nil {
		return nil, fmt.Errorf("system: %w", err)
	}
	if m, err = withPattern(m, md.AnyMessage, (*Match).AnyMessage); err != nil {
		return nil, fmt.Errorf("any_message: %w", err)
	}
	if md.HasTool != "" {
		m = m.HasTool(md.HasTool)
	}
	if md.ToolResult != "" {
		m = m.ToolResult(md.ToolResult)
	}
	if md.Turn != nil {
		m = m.Turn(*md.Turn)
	}
	keys := make([]string, 0, len(md.Headers))
	for k := range md.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		pd := md.Headers[k]
		p, err := pd.pattern()
		if err != nil {
			return nil, fmt.Errorf("headers.%s: %w", k, err)
		}
		m = m.Header(k, p)
	}
	return m, nil
}

func withPattern(m *Match, pd *patternDoc, add func(*Match, Pattern) *Match) (*Match, error) {
	if pd == nil {
		return m, nil
	}
	p, err := pd.pattern()
	if err != nil {
		return nil, err
	}
	return add(m, p), nil
}

func (pd *patternDoc) pattern() (p Pattern, err error) {
	set := 0
	switch {
	case pd.Equals != nil:
		set++
		p = Equals(string(*pd.Equals))
	case pd.Contains != nil:
		set++
		p = Contains(string(*pd.Contains))
	case pd.Regexp != nil:
		set++
		defer func() {
			if v := recover(); v != nil {
				err = fmt.Errorf("regexp: %v", v)
			}
		}()
		p = Regexp(string(*pd.Regexp))
	}
	if set == 0 {
		return p, fmt.Errorf("want one of equals, contains or regexp")
	}
	return p, nil
}

func (pd *pacingDoc) pacing() Pacing {
	return Pacing{TTFT: time.Duration(pd.TTFT), PerToken: time.Duration(pd.PerToken),
		TokensPerSecond: pd.TokensPerSecond, Jitter: pd.Jitter, Seed: pd.Seed}
}

func (ed *errorDoc) err() (*oaicompat.Error, error) {
	if ed.Status < 400 || ed.Status > 599 {
		return nil, fmt.Errorf("error status %d: want 400 to 599", ed.Status)
	}
	e := Error(ed.Status, ed.Message).err
	if ed.Type != "" {
		e.Type = ed.Type
	}
	if ed.Code != "" {
		e.Code = ed.Code
	}
	e.Param = ed.Param
	return e, nil
}

func (d *replyDoc) reply() (*Reply, error) {
	var r *Reply
	kinds := 0
	add := func(x *Reply) { r = x; kinds++ }
	if d.Text != nil {
		add(Text(string(*d.Text)))
	}
	if d.Refusal != "" {
		add(Refusal(string(d.Refusal)))
	}
	if d.ToolCalls != nil {
		calls := make([]ToolCall, len(d.ToolCalls))
		for i, tc := range d.ToolCalls {
			args, err := rawText(tc.Arguments)
			if err != nil {
				return nil, fmt.Errorf("tool_calls[%d].arguments: %w", i, err)
			}
			if tc.Name == "" {
				return nil, fmt.Errorf("tool_calls[%d]: name is required", i)
			}
			calls[i] = ToolCall{ID: tc.ID, Name: tc.Name, Arguments: args}
		}
		add(ToolCalls(calls...))
	}
	if d.JSON != nil {
		b, err := rawText(d.JSON)
		if err != nil {
			return nil, fmt.Errorf("json: %w", err)
		}
		add(JSON(json.RawMessage(b)))
	}
	if d.Error != nil {
		e, err := d.Error.err()
		if err != nil {
			return nil, err
		}
		add(&Reply{err: e})
	}
	if d.Vectors != nil {
		add(Vectors(d.Vectors...))
	}
	if d.Images != nil {
		imgs := make([]oaicompat.Image, len(d.Images))
		for i, im := range d.Images {
			imgs[i] = oaicompat.Image{URL: im.URL, RevisedPrompt: im.RevisedPrompt}
			if im.B64 != "" {
				data, err := base64.StdEncoding.DecodeString(im.B64)
				if err != nil {
					return nil, fmt.Errorf("images[%d].b64_json: %w", i, err)
				}
				imgs[i].Data = data
			}
		}
		add(Pictures(imgs...))
	}
	if d.Models != nil {
		add(ModelList(texts(d.Models)...))
	}
	if d.Hang {
		add(Hang())
	}
	switch {
	case kinds > 1:
		return nil, fmt.Errorf("a reply has one of text, refusal, tool_calls, json, error, vectors, images, models or hang")
	case kinds == 0:
		r = Auto()
	}
	if d.Finish != "" {
		r.Finish(d.Finish)
	}
	if d.Reasoning != "" {
		r.Reasoning(string(d.Reasoning))
	}
	if d.StopSequence != "" {
		r.StopSequence(string(d.StopSequence))
	}
	if d.Usage != nil {
		r.Usage(d.Usage.Prompt, d.Usage.Completion)
	}
	for k, v := range d.Headers {
		r.Header(k, string(v))
	}
	if d.RetryAfter > 0 {
		r.RetryAfter(time.Duration(d.RetryAfter))
	}
	if d.ShouldRetry != nil {
		r.ShouldRetry(*d.ShouldRetry)
	}
	if d.Pacing != nil {
		r.Pace(d.Pacing.pacing())
	}
	if d.StallAfter != nil {
		r.StallAfter(*d.StallAfter)
	}
	if ea := d.ErrorAfter; ea != nil {
		e, err := ea.err()
		if err != nil {
			return nil, fmt.Errorf("error_after: %w", err)
		}
		r.ErrorAfter(ea.Tokens, e)
	}
	if d.DisconnectAfter != nil {
		r.DisconnectAfter(*d.DisconnectAfter)
	}
	if d.MalformedChunk > 0 {
		r.MalformedChunk(d.MalformedChunk)
	}
	if d.NoDone {
		r.NoDone()
	}
	if d.SplitWrites != nil {
		r.SplitWrites(*d.SplitWrites)
	}
	return r, nil
}

// rawText is the text of a JSON string, or any other JSON value compact.
func rawText(raw json.RawMessage) (string, error) {
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	var buf bytes.Buffer
	err := json.Compact(&buf, raw)
	return buf.String(), err
}
