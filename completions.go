package oaicompat

import (
	"context"
	"net/http"
	"sync"
)

// serveCompletions is the legacy POST /v1/completions, answered by the chat
// Backend: the request is translated once per prompt (ToChatRequest), each
// with n choices, and the choices are numbered prompt by prompt (choice j of
// prompt i has index i*n+j). The prompts run one after the other. echo puts
// the prompt before each choice's text; max_tokens 0 answers without
// calling the Backend (an empty completion, or the echoed prompt, with
// finish_reason "length").
func (h *Handler) serveCompletions(w http.ResponseWriter, r *http.Request) {
	var req CompletionRequest
	if err := h.decode(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	ci := CallInfoFromContext(r.Context())
	if ci != nil {
		ci.Endpoint, ci.Model, ci.Stream = "completions", req.Model, req.Stream
	}
	prompts := req.Prompts()
	chats := make([]*ChatRequest, len(prompts))
	for i, p := range prompts {
		chats[i] = req.ToChatRequest(p)
		check := chats[i]
		if *check.MaxTokens == 0 { // answered without the backend; check the rest
			c, one := *check, 1
			c.MaxTokens, check = &one, &c
		}
		if err := check.Validate(); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	id, created, n := h.cfg.ids("cmpl-"), h.cfg.now().Unix(), req.Choices()

	if !req.Stream {
		out := &textCompletion{ID: id, Object: "text_completion", Created: created, Model: req.Model,
			Choices: make([]textChoice, 0, len(prompts)*n)}
		var total Usage
		for i, chat := range chats {
			echo := ""
			if req.Echo {
				echo = prompts[i]
			}
			col := newChatCollector(n)
			if *chat.MaxTokens > 0 {
				g := h.newGuard(ctx, chat, false)
				if err := g.result(h.runChat(ctx, chat, g.wrap(col))); err != nil {
					h.fail(w, r, err)
					return
				}
			}
			cc := col.completion("", 0, "", chat.WantsLogprobs())
			for j, ch := range cc.Choices {
				tc := textChoice{Index: i*n + j, Text: echo, FinishReason: ch.FinishReason}
				if ch.Message.Content != nil {
					tc.Text += *ch.Message.Content
				}
				if ch.Message.Refusal != nil {
					tc.Text += *ch.Message.Refusal
				}
				if *chat.MaxTokens == 0 {
					tc.FinishReason = FinishLength
				}
				if ch.Logprobs != nil {
					tc.Logprobs = appendLegacyLogprobs(nil, ch.Logprobs.Content, len(echo))
				}
				out.Choices = append(out.Choices, tc)
			}
			total.PromptTokens += cc.Usage.PromptTokens
			total.CompletionTokens += cc.Usage.CompletionTokens
		}
		total.TotalTokens = total.PromptTokens + total.CompletionTokens
		out.Usage = &total
		if ci != nil {
			ci.Usage, ci.FirstOutput = total, h.cfg.now()
			for _, c := range out.Choices {
				ci.FinishReasons = append(ci.FinishReasons, c.FinishReason)
			}
		}
		writeJSON(w, http.StatusOK, out)
		return
	}

	es := newEventStream(w, cancel, h.cfg.keepAlive)
	cs := newCompletionStream(es, id, created, req.Model, n)
	var obs *streamObserver
	if ci != nil {
		obs = &streamObserver{ci: ci, now: h.cfg.now, reasons: make([]string, n)}
	}
	var err error
	for i, chat := range chats {
		echo := ""
		if req.Echo {
			echo = prompts[i]
		}
		cs.next(i*n, echo)
		if *chat.MaxTokens == 0 {
			for j := 0; j < n && err == nil; j++ {
				err = cs.delta(j, Delta{FinishReason: FinishLength})
			}
		} else {
			g := h.newGuard(ctx, chat, true)
			err = g.result(h.runChat(ctx, chat, g.wrap(observe(cs, obs))))
		}
		if err != nil {
			break
		}
	}
	if err == nil {
		err = cs.end(req.StreamOptions != nil && req.StreamOptions.IncludeUsage != nil && *req.StreamOptions.IncludeUsage)
	}
	es.close()
	if obs != nil {
		ci.Usage, ci.FinishReasons = cs.total, obs.reasons
	}
	h.endStream(w, r, es, err)
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
		b = appendString(b, lps[i].Token)
	}
	b = append(b, `],"token_logprobs":[`...)
	for i := range lps {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendFloat(b, lps[i].Logprob, 64)
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
			b = appendString(b, t.Token)
			b = append(b, ':')
			b = appendFloat(b, t.Logprob, 64)
		}
		b = append(b, '}')
	}
	b = append(b, `],"text_offset":[`...)
	for i := range lps {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendInt(b, int64(offset))
		offset += len(lps[i].Token)
	}
	return append(b, "]}"...)
}

// completionStream is the sink of a streamed legacy request: text_completion
// chunks, one choice each, then the usage chunk when asked for, then [DONE].
type completionStream struct {
	es     *eventStream
	prefix []byte // data: {"id":...,"choices":[
	n      int

	mu      sync.Mutex
	base    int    // index of the current prompt's first choice
	echo    string // the current prompt, when echoing
	begun   []bool // per choice of the current prompt: first chunk sent
	offsets []int  // per choice: text length so far, for text_offset
	cur     usageSum
	total   Usage
	buf     []byte
}

func newCompletionStream(es *eventStream, id string, created int64, model string, n int) *completionStream {
	p := append([]byte(nil), `data: {"id":`...)
	p = appendString(p, id)
	p = append(p, `,"object":"text_completion","created":`...)
	p = appendInt(p, created)
	p = append(p, `,"model":`...)
	p = appendString(p, model)
	p = append(p, `,"choices":[`...)
	return &completionStream{es: es, prefix: p, n: n, begun: make([]bool, n), offsets: make([]int, n)}
}

// next starts the choices of the next prompt.
func (c *completionStream) next(base int, echo string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fold()
	c.base, c.echo = base, echo
	clear(c.begun)
	clear(c.offsets)
}

// fold adds the current prompt's usage to the total.
func (c *completionStream) fold() {
	if c.cur.set {
		u := c.cur.usage()
		c.total.PromptTokens += u.PromptTokens
		c.total.CompletionTokens += u.CompletionTokens
		c.total.TotalTokens += u.TotalTokens
	}
	c.cur = usageSum{}
}

func (c *completionStream) usage(u Usage) {
	c.mu.Lock()
	c.cur.add(u)
	c.mu.Unlock()
}

func (c *completionStream) delta(choice int, d Delta) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	text := d.Content + d.Refusal
	if !c.begun[choice] {
		c.begun[choice] = true
		if c.echo != "" {
			if err := c.emit(choice, c.echo, nil, ""); err != nil {
				return err
			}
			c.offsets[choice] = len(c.echo)
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
	b := append(c.buf[:0], c.prefix...)
	b = append(b, `{"text":`...)
	b = appendString(b, text)
	b = append(b, `,"index":`...)
	b = appendInt(b, int64(c.base+choice))
	b = append(b, `,"logprobs":`...)
	if len(lps) > 0 {
		b = appendLegacyLogprobs(b, lps, c.offsets[choice])
	} else {
		b = append(b, "null"...)
	}
	c.offsets[choice] += len(text)
	b = append(b, `,"finish_reason":`...)
	b = appendNullableString(b, finish)
	b = append(b, "}]}\n\n"...)
	c.buf = b
	return c.es.write(b)
}

// end sends the usage chunk when asked for, then [DONE].
func (c *completionStream) end(includeUsage bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fold()
	if includeUsage {
		b := append(c.buf[:0], c.prefix...)
		b = append(b, `],"usage":`...)
		b = appendUsage(b, &c.total)
		b = append(b, "}\n\n"...)
		c.buf = b
		if err := c.es.write(b); err != nil {
			return err
		}
	}
	return c.es.write(doneFrame)
}
