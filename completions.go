package oaicompat

import (
	"encoding/json"
	"net/http"

	"github.com/oaicompat/oaicompat/internal/jsonx"
)

// completionsDialect is the legacy POST /v1/completions, answered by the
// chat [Backend]: the request is translated once per prompt (ToChatRequest),
// each with n choices, and the choices are numbered prompt by prompt
// (choice j of prompt i has index i*n+j). The prompts run one after the
// other. echo puts the prompt before each choice's text; max_tokens 0
// answers without calling the Backend (an empty completion, or the echoed
// prompt, with finish_reason "length").
type completionsDialect struct{ req completionRequest }

func (d *completionsDialect) endpoint() string                           { return "completions" }
func (d *completionsDialect) target() any                                { return &d.req }
func (d *completionsDialect) writeError(w http.ResponseWriter, e *Error) { WriteError(w, e) }

func (d *completionsDialect) prepare(raw []byte, extra map[string]json.RawMessage, model string) (requestInfo, error) {
	r := &d.req
	r.Raw, r.Extra = raw, extra
	if model != "" {
		r.Model = model
	}
	return requestInfo{model: r.Model, stream: r.Stream, maxOutput: r.maxOutput()}, r.validate()
}

func (d *completionsDialect) answer(x *exchange) (answer, error) {
	r := &d.req
	prompts := r.Prompts()
	chats := make([]*ChatRequest, len(prompts))
	echo := make([]string, len(prompts))
	for i, p := range prompts {
		chats[i] = r.ToChatRequest(p)
		check := chats[i]
		if *check.MaxTokens == 0 { // answered without the backend; check the rest
			c, one := *check, 1
			c.MaxTokens, check = &one, &c
		}
		if err := check.validate(); err != nil {
			return nil, err
		}
		if r.Echo {
			echo[i] = p
		}
	}
	id, created, n := x.h.cfg.ids("cmpl-"), x.h.cfg.now().Unix(), r.Choices()
	wantLogprobs := r.Logprobs != nil
	if x.es == nil {
		col := &chatCollector{wantLogprobs: wantLogprobs, choices: make([]collected, len(prompts)*n)}
		return x.translated(&completionCollector{chatCollector: col, w: x.w, id: id, model: r.Model, created: created, echo: echo, n: n}, chats...), nil
	}
	includeUsage := r.StreamOptions != nil && r.StreamOptions.IncludeUsage != nil && *r.StreamOptions.IncludeUsage
	return x.translated(newCompletionStream(x.es, id, created, r.Model, n, echo, includeUsage), chats...), nil
}

// completionCollector is the sink of a legacy request with stream:false: the
// chat collector's choices become text_completion choices.
type completionCollector struct {
	*chatCollector
	w         http.ResponseWriter
	id, model string
	created   int64
	echo      []string // per prompt: the text put before each choice
	n         int      // choices per prompt
}

func (c *completionCollector) end(u Usage) error {
	out := &textCompletion{ID: c.id, Object: "text_completion", Created: c.created, Model: c.model,
		Choices: make([]textChoice, len(c.choices)), Usage: &u}
	for i := range c.choices {
		ch := &c.choices[i]
		echo := c.echo[i/c.n]
		out.Choices[i] = textChoice{Index: i, Text: echo + ch.content.String() + ch.refusal.String(), FinishReason: ch.finish}
		if c.wantLogprobs {
			out.Choices[i].Logprobs = appendLegacyLogprobs(nil, ch.logprobs, len(echo))
		}
	}
	return writeJSON(c.w, http.StatusOK, out)
}

// textCompletion is the legacy CreateCompletionResponse.
type textCompletion struct {
	ID      string       `json:"id"`
	Object  string       `json:"object"`
	Created int64        `json:"created"`
	Model   string       `json:"model"`
	Choices []textChoice `json:"choices"`
	Usage   *Usage       `json:"usage,omitempty"`
}

type textChoice struct {
	Text         string  `json:"text"`
	Index        int     `json:"index"`
	Logprobs     jsonRaw `json:"logprobs"`
	FinishReason string  `json:"finish_reason"`
}

// appendLegacyLogprobs appends the legacy logprobs object for lps, whose
// first token starts at byte offset in the choice's text:
// {"tokens":[...],"token_logprobs":[...],"top_logprobs":[{token:logprob}],"text_offset":[...]}.
func appendLegacyLogprobs(b []byte, lps []TokenLogprob, offset int) []byte {
	b = append(b, `{"tokens":[`...)
	for i := range lps {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonx.AppendString(b, lps[i].Token)
	}
	b = append(b, `],"token_logprobs":[`...)
	for i := range lps {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonx.AppendFloat(b, lps[i].Logprob, 64)
	}
	b = append(b, `],"top_logprobs":[`...)
	for i := range lps {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		for j, t := range lps[i].TopLogprobs {
			if j > 0 {
				b = append(b, ',')
			}
			b = jsonx.AppendString(b, t.Token)
			b = append(b, ':')
			b = jsonx.AppendFloat(b, t.Logprob, 64)
		}
		b = append(b, '}')
	}
	b = append(b, `],"text_offset":[`...)
	for i := range lps {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonx.AppendInt(b, int64(offset))
		offset += len(lps[i].Token)
	}
	return append(b, "]}"...)
}

// completionStream is the sink of a streamed legacy request: text_completion
// chunks, one choice each, then the usage chunk when asked for, then [DONE].
type completionStream struct {
	chunks
	n       int
	echo    []string // per prompt: the text put before each choice
	begun   []bool   // per choice: first chunk sent
	offsets []int    // per choice: text length so far, for text_offset
}

func newCompletionStream(es *eventStream, id string, created int64, model string, n int, echo []string, includeUsage bool) *completionStream {
	total := n * len(echo)
	return &completionStream{chunks: newChunks(es, "text_completion", id, created, model, includeUsage),
		n: n, echo: echo, begun: make([]bool, total), offsets: make([]int, total)}
}

func (c *completionStream) delta(choice int, d Delta) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	text := d.Content + d.Refusal
	if !c.begun[choice] {
		c.begun[choice] = true
		if echo := c.echo[choice/c.n]; echo != "" {
			if err := c.emit(choice, echo, nil, ""); err != nil {
				return err
			}
		}
	}
	if text != "" {
		if err := c.emit(choice, text, d.Logprobs, ""); err != nil {
			return err
		}
	}
	if d.FinishReason != "" {
		return c.emit(choice, "", nil, d.FinishReason)
	}
	return nil
}

// emit writes one chunk.
func (c *completionStream) emit(choice int, text string, lps []TokenLogprob, finish string) error {
	buf := c.frame()
	b := append(buf.B, `{"text":`...)
	b = jsonx.AppendString(b, text)
	b = append(b, `,"index":`...)
	b = jsonx.AppendInt(b, int64(choice))
	b = append(b, `,"logprobs":`...)
	if len(lps) > 0 {
		b = appendLegacyLogprobs(b, lps, c.offsets[choice])
	} else {
		b = append(b, "null"...)
	}
	c.offsets[choice] += len(text)
	b = append(b, `,"finish_reason":`...)
	b = jsonx.AppendNullableString(b, finish)
	buf.B = append(b, "}]}\n\n"...)
	return c.send(buf)
}
