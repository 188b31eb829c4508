package oaicompat

import (
	"sync"

	"github.com/oaicompat/oaicompat/internal/jsonx"
)

// chunks is what the chat and the legacy completions streams share: the
// part of every chunk that does not change (id, object, created, model),
// encoded once; chunks are written into a pooled buffer, given back once
// written (a held stream keeps none); and how the stream ends (the usage
// chunk when asked for, then [DONE], or an in-band error, then [DONE]). Its
// mutex serialises the writers of the choices.
type chunks struct {
	es           *eventStream
	prefix       []byte // data: {"id":...,"choices":[
	includeUsage bool

	mu sync.Mutex
}

// frame returns a pooled buffer holding the prefix of a chunk.
func (c *chunks) frame() *buffer {
	buf := getBuffer()
	buf.B = append(buf.B, c.prefix...)
	return buf
}

// send writes the chunk in buf and gives buf back to the pool.
func (c *chunks) send(buf *buffer) error {
	err := c.es.write(buf.B)
	putBuffer(buf)
	return err
}

func newChunks(es *eventStream, object, id string, created int64, model string, includeUsage bool) chunks {
	p := make([]byte, 0, 128+len(model))
	p = append(p, `data: {"id":`...)
	p = jsonx.AppendString(p, id)
	p = append(p, `,"object":"`...)
	p = append(p, object...)
	p = append(p, `","created":`...)
	p = jsonx.AppendInt(p, created)
	p = append(p, `,"model":`...)
	p = jsonx.AppendString(p, model)
	p = append(p, `,"choices":[`...)
	return chunks{es: es, prefix: p, includeUsage: includeUsage}
}

// end finishes the stream after the backend returned: the usage chunk when
// asked for, then [DONE].
func (c *chunks) end(u Usage) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.includeUsage {
		buf := c.frame()
		buf.B = append(buf.B, `],"usage":`...)
		buf.B = appendUsage(buf.B, &u)
		buf.B = append(buf.B, "}\n\n"...)
		if err := c.send(buf); err != nil {
			return err
		}
	}
	return c.es.write(doneFrame)
}

// fail ends the stream with an in-band error: data: {"error":...}, then
// [DONE].
func (c *chunks) fail(e *Error, _ Usage) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.es.write(append(errorFrame(e), doneFrame...))
}

// chatStream is the sink for stream:true chat requests: every delta becomes
// one chat.completion.chunk event, written by hand.
type chatStream struct {
	chunks
	reasoningField string
	roleSent       []bool
	oneRoleSent    [1]bool // roleSent, when n is 1
}

func newChatStream(es *eventStream, id string, created int64, req *ChatRequest, reasoningField string) *chatStream {
	c := &chatStream{chunks: newChunks(es, "chat.completion.chunk", id, created, req.Model, req.IncludeUsage()),
		reasoningField: reasoningField}
	c.roleSent = oneOrMake(&c.oneRoleSent, req.Choices())
	return c
}

func (c *chatStream) delta(choice int, d Delta) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	first := !c.roleSent[choice]
	c.roleSent[choice] = true
	if d.FinishReason != "" {
		if first {
			// A choice that ends before saying anything still announces its role.
			if err := c.emit(choice, Delta{}, true); err != nil {
				return err
			}
			first = false
		}
		if d.Content != "" || d.Refusal != "" || d.Reasoning != "" || d.ToolCall != nil || len(d.Extra) > 0 {
			rest := d
			rest.FinishReason = ""
			if err := c.emit(choice, rest, first); err != nil {
				return err
			}
		}
		return c.emit(choice, Delta{FinishReason: d.FinishReason}, false)
	}
	if tc := d.ToolCall; tc != nil && tc.Name != "" && tc.Arguments != "" {
		// A call handed over whole still goes out the OpenAI way: a first
		// fragment with empty arguments, then the arguments.
		head, args := *tc, *tc
		head.Arguments = ""
		args.ID, args.Name = "", ""
		hd := d
		hd.ToolCall = &head
		if err := c.emit(choice, hd, first); err != nil {
			return err
		}
		return c.emit(choice, Delta{ToolCall: &args}, false)
	}
	return c.emit(choice, d, first)
}

// emit writes one chunk with one choice.
func (c *chatStream) emit(choice int, d Delta, first bool) error {
	buf := c.frame()
	b := append(buf.B, `{"index":`...)
	b = jsonx.AppendInt(b, int64(choice))
	b = append(b, `,"delta":{`...)
	sep := false
	field := func(name string) {
		if sep {
			b = append(b, ',')
		}
		sep = true
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, `":`...)
	}
	if first {
		field("role")
		b = append(b, `"assistant"`...)
		if d.ToolCall != nil && d.Content == "" {
			field("content")
			b = append(b, "null"...)
		} else if d.Content == "" && d.Refusal == "" {
			field("content")
			b = append(b, `""`...)
		}
	}
	if d.Reasoning != "" {
		field(c.reasoningField)
		b = jsonx.AppendString(b, d.Reasoning)
	}
	if d.Content != "" {
		field("content")
		b = jsonx.AppendString(b, d.Content)
	}
	if d.Refusal != "" {
		field("refusal")
		b = jsonx.AppendString(b, d.Refusal)
	}
	if tc := d.ToolCall; tc != nil {
		field("tool_calls")
		b = append(b, `[{"index":`...)
		b = jsonx.AppendInt(b, int64(tc.Index))
		if tc.Name != "" {
			b = append(b, `,"id":`...)
			b = jsonx.AppendString(b, tc.ID)
			b = append(b, `,"type":"function","function":{"name":`...)
			b = jsonx.AppendString(b, tc.Name)
			b = append(b, `,"arguments":`...)
			b = jsonx.AppendString(b, tc.Arguments)
			b = append(b, "}}]"...)
		} else {
			b = append(b, `,"function":{"arguments":`...)
			b = jsonx.AppendString(b, tc.Arguments)
			b = append(b, "}}]"...)
		}
	}
	b = appendExtra(b, d.Extra, sep)
	b = append(b, `},"logprobs":`...)
	if len(d.Logprobs) > 0 {
		b = append(b, `{"content":`...)
		b = appendLogprobs(b, d.Logprobs)
		b = append(b, `,"refusal":null}`...)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"finish_reason":`...)
	b = jsonx.AppendNullableString(b, d.FinishReason)
	buf.B = append(b, "}]}\n\n"...)
	return c.send(buf)
}

func appendUsage(b []byte, u *Usage) []byte {
	b = append(b, `{"prompt_tokens":`...)
	b = jsonx.AppendInt(b, int64(u.PromptTokens))
	b = append(b, `,"completion_tokens":`...)
	b = jsonx.AppendInt(b, int64(u.CompletionTokens))
	b = append(b, `,"total_tokens":`...)
	b = jsonx.AppendInt(b, int64(u.TotalTokens))
	if d := u.PromptTokensDetails; d != nil {
		b = append(b, `,"prompt_tokens_details":{"cached_tokens":`...)
		b = jsonx.AppendInt(b, int64(d.CachedTokens))
		if d.AudioTokens != 0 {
			b = append(b, `,"audio_tokens":`...)
			b = jsonx.AppendInt(b, int64(d.AudioTokens))
		}
		b = append(b, '}')
	}
	if d := u.CompletionTokensDetails; d != nil {
		b = append(b, `,"completion_tokens_details":{"reasoning_tokens":`...)
		b = jsonx.AppendInt(b, int64(d.ReasoningTokens))
		for _, kv := range [...]struct {
			k string
			v int
		}{{"audio_tokens", d.AudioTokens}, {"accepted_prediction_tokens", d.AcceptedPredictionTokens}, {"rejected_prediction_tokens", d.RejectedPredictionTokens}} {
			if kv.v != 0 {
				b = append(b, `,"`...)
				b = append(b, kv.k...)
				b = append(b, `":`...)
				b = jsonx.AppendInt(b, int64(kv.v))
			}
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendLogprobs(b []byte, lps []TokenLogprob) []byte {
	b = append(b, '[')
	for i := range lps {
		if i > 0 {
			b = append(b, ',')
		}
		lp := &lps[i]
		b = appendTokenFields(b, lp.Token, lp.Logprob, lp.Bytes)
		b = append(b, `,"top_logprobs":[`...)
		for j := range lp.TopLogprobs {
			if j > 0 {
				b = append(b, ',')
			}
			t := &lp.TopLogprobs[j]
			b = append(appendTokenFields(b, t.Token, t.Logprob, t.Bytes), '}')
		}
		b = append(b, "]}"...)
	}
	return append(b, ']')
}

// appendTokenFields opens a logprob object with the fields a token and
// its alternatives share: {"token":…,"logprob":…,"bytes":…
func appendTokenFields(b []byte, token string, logprob float64, bytes []int) []byte {
	b = append(b, `{"token":`...)
	b = jsonx.AppendString(b, token)
	b = append(b, `,"logprob":`...)
	b = jsonx.AppendFloat(b, logprob, 64)
	b = append(b, `,"bytes":`...)
	return appendBytesField(b, bytes)
}

func appendBytesField(b []byte, bs []int) []byte {
	if bs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, x := range bs {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonx.AppendInt(b, int64(x))
	}
	return append(b, ']')
}
