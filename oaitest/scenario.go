package oaitest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/oaicompat/oaicompat"
)

// Scenario is a mock setup read from YAML (or JSON): the format of
// cmd/oaimock's -config file and of the rules its control API accepts. It
// mirrors the Go API; cmd/oaimock/scenario.example.yaml documents every
// key. Unknown keys are errors.
type Scenario struct {
	doc scenarioDoc
}

type scenarioDoc struct {
	Strict             *bool      `yaml:"strict"`
	AllowUnknownFields bool       `yaml:"allow_unknown_fields"`
	Models             []string   `yaml:"models"`
	KeepAlive          duration   `yaml:"keep_alive"`
	SplitWrites        *uint64    `yaml:"split_writes"`
	Pacing             *pacingDoc `yaml:"pacing"`
	Quota              *quotaDoc  `yaml:"quota"`
	Tapes              []string   `yaml:"tapes"`
	ReplaySpeed        float64    `yaml:"replay_speed"`
	Rules              []ruleDoc  `yaml:"rules"`
	Script             []ruleDoc  `yaml:"script"`
}

type ruleDoc struct {
	Name    string     `yaml:"name"`
	Match   matchDoc   `yaml:"match"`
	Times   *timesDoc  `yaml:"times"`
	Reply   *replyDoc  `yaml:"reply"`
	Replies []replyDoc `yaml:"replies"`
}

type matchDoc struct {
	Endpoint   string                `yaml:"endpoint"`
	Model      string                `yaml:"model"`
	Stream     *bool                 `yaml:"stream"`
	LastUser   *patternDoc           `yaml:"last_user"`
	System     *patternDoc           `yaml:"system"`
	AnyMessage *patternDoc           `yaml:"any_message"`
	HasTool    string                `yaml:"has_tool"`
	ToolResult string                `yaml:"tool_result"`
	Turn       *int                  `yaml:"turn"`
	Headers    map[string]patternDoc `yaml:"headers"`
}

type patternDoc struct {
	Equals   *string `yaml:"equals"`
	Contains *string `yaml:"contains"`
	Regexp   *string `yaml:"regexp"`
}

type replyDoc struct {
	Auto            bool              `yaml:"auto"`
	Text            *string           `yaml:"text"`
	Refusal         string            `yaml:"refusal"`
	ToolCalls       []toolCallDoc     `yaml:"tool_calls"`
	JSON            any               `yaml:"json"`
	Error           *errorDoc         `yaml:"error"`
	Vectors         [][]float32       `yaml:"vectors"`
	Images          []imageDoc        `yaml:"images"`
	Models          []string          `yaml:"models"`
	Hang            bool              `yaml:"hang"`
	Finish          string            `yaml:"finish"`
	Usage           *usageDoc         `yaml:"usage"`
	Headers         map[string]string `yaml:"headers"`
	RetryAfter      duration          `yaml:"retry_after"`
	ShouldRetry     *bool             `yaml:"should_retry"`
	Pacing          *pacingDoc        `yaml:"pacing"`
	StallAfter      *int              `yaml:"stall_after"`
	ErrorAfter      *errorAfterDoc    `yaml:"error_after"`
	DisconnectAfter *int              `yaml:"disconnect_after"`
	MalformedChunk  int               `yaml:"malformed_chunk"`
	NoDone          bool              `yaml:"no_done"`
	SplitWrites     *uint64           `yaml:"split_writes"`
}

type toolCallDoc struct {
	ID        string `yaml:"id"`
	Name      string `yaml:"name"`
	Arguments any    `yaml:"arguments"` // a JSON string, or a YAML value encoded as JSON
}

type errorDoc struct {
	Status  int    `yaml:"status"`
	Message string `yaml:"message"`
	Type    string `yaml:"type"`
	Code    string `yaml:"code"`
	Param   string `yaml:"param"`
}

type errorAfterDoc struct {
	Tokens   int `yaml:"tokens"`
	errorDoc `yaml:",inline"`
}

type imageDoc struct {
	URL           string `yaml:"url"`
	B64           string `yaml:"b64_json"`
	RevisedPrompt string `yaml:"revised_prompt"`
}

type usageDoc struct {
	Prompt     int `yaml:"prompt"`
	Completion int `yaml:"completion"`
}

type pacingDoc struct {
	TTFT            duration `yaml:"ttft"`
	PerToken        duration `yaml:"per_token"`
	TokensPerSecond float64  `yaml:"tokens_per_second"`
	Jitter          float64  `yaml:"jitter"`
	Seed            uint64   `yaml:"seed"`
}

type quotaDoc struct {
	Requests int      `yaml:"requests"`
	Tokens   int      `yaml:"tokens"`
	Window   duration `yaml:"window"`
}

// duration reads "1.5s", "300ms" (or a number of seconds).
type duration time.Duration

func (d *duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	if v, err := time.ParseDuration(s); err == nil {
		*d = duration(v)
		return nil
	}
	var secs float64
	if err := n.Decode(&secs); err != nil {
		return fmt.Errorf("line %d: %q is not a duration such as 1.5s or 300ms", n.Line, s)
	}
	*d = duration(secs * float64(time.Second))
	return nil
}

// timesDoc is a count, or "any".
type timesDoc struct {
	n   int
	any bool
}

func (t *timesDoc) UnmarshalYAML(n *yaml.Node) error {
	if n.Value == "any" {
		t.any = true
		return nil
	}
	return n.Decode(&t.n)
}

// LoadScenario reads a scenario file.
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

// ParseScenario reads a scenario from YAML or JSON and checks it: every
// rule's match and replies must be well formed.
func ParseScenario(data []byte) (*Scenario, error) {
	var doc scenarioDoc
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil && err.Error() != "EOF" {
		return nil, fmt.Errorf("oaitest: scenario: %w", err)
	}
	s := &Scenario{doc: doc}
	if _, _, err := s.rules(); err != nil {
		return nil, err
	}
	return s, nil
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
		opts = append(opts, WithModels(d.Models...))
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

// Apply adds the scenario's rules and script to m.
func (s *Scenario) Apply(m *Mock) error {
	rules, script, err := s.rules()
	if err != nil {
		return err
	}
	m.Add(rules...)
	if len(script) > 0 {
		m.Script(script...)
	}
	return nil
}

func (s *Scenario) rules() (rules, script []*Rule, err error) {
	for i, rd := range s.doc.Rules {
		r, err := rd.rule()
		if err != nil {
			return nil, nil, fmt.Errorf("oaitest: scenario: rules[%d]: %w", i, err)
		}
		rules = append(rules, r)
	}
	for i, rd := range s.doc.Script {
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
	r.name = rd.Name
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
	if md.Model != "" {
		m = m.Model(md.Model)
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
		p = Equals(*pd.Equals)
	case pd.Contains != nil:
		set++
		p = Contains(*pd.Contains)
	case pd.Regexp != nil:
		set++
		defer func() {
			if v := recover(); v != nil {
				err = fmt.Errorf("regexp: %v", v)
			}
		}()
		p = Regexp(*pd.Regexp)
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
		add(Text(*d.Text))
	}
	if d.Refusal != "" {
		add(Refusal(d.Refusal))
	}
	if d.ToolCalls != nil {
		calls := make([]ToolCall, len(d.ToolCalls))
		for i, tc := range d.ToolCalls {
			args, ok := tc.Arguments.(string)
			if !ok {
				b, err := json.Marshal(tc.Arguments)
				if err != nil {
					return nil, fmt.Errorf("tool_calls[%d].arguments: %w", i, err)
				}
				args = string(b)
			}
			if tc.Name == "" {
				return nil, fmt.Errorf("tool_calls[%d]: name is required", i)
			}
			calls[i] = ToolCall{ID: tc.ID, Name: tc.Name, Arguments: args}
		}
		add(ToolCalls(calls...))
	}
	if d.JSON != nil {
		b, err := json.Marshal(d.JSON)
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
		add(ModelList(d.Models...))
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
	if d.Usage != nil {
		r.Usage(d.Usage.Prompt, d.Usage.Completion)
	}
	for k, v := range d.Headers {
		r.Header(k, v)
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
