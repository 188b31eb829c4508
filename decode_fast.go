package oaicompat

import (
	"encoding/json"
	"reflect"
	"strconv"
	"sync"
	"unsafe"

	"github.com/oaicompat/oaicompat/internal/jsonx"
)

// This file decodes the common shape of a chat request without reflection:
// the fields SDKs send for a conversation with text, tool calls and
// function tools. Anything else (a field it does not handle, null where it
// expects a value, a duplicate or escaped key, a number that is not a plain
// integer where one is wanted, a surrogate escape, invalid JSON) makes it
// give up, and the body is decoded by the general path from the start. On
// what it accepts it gives exactly the general path's result, unknown
// top-level fields in Extra included (FuzzDecodeChatFast checks it). Its
// strings are slices of the body itself, which becomes the request's Raw
// and is never written to (ChatRequest.Raw says so to backends): a copy
// would cost an allocation of the body's size, and memory as long as a
// stream is held.

// chatKnown is the set of the JSON names of ChatRequest's fields.
var chatKnown = knownFields(reflect.TypeOf(ChatRequest{}))

// fastPath is the state of one fast decode.
type fastPath struct {
	scanner
	src string // the body, aliased: unescaped strings are slices of it
	// scalars holds the values of the request's pointer fields, one
	// allocation for all of them.
	scalars *chatScalars
	scratch *fastScratch
}

// fastScratch holds the lists being decoded until their length is known
// and they are copied to slices of that length. It is pooled rather than
// on the stack: arrays of messages in the frames of a recursive descent
// grew a request's goroutine stack past 8 KiB, and a held stream kept
// twice the stack a plain handler's does.
type fastScratch struct {
	messages [8]Message
	parts    [4]ContentPart
	calls    [4]fastCall
	tools    [4]fastTool
}

type fastCall struct {
	id, typ string
	fn      FunctionCall
	hasFn   bool
}

type fastTool struct {
	typ              string
	def              FunctionDefinition // Strict unset
	strict           bool
	hasFn, hasStrict bool
}

var scratchPool = sync.Pool{New: func() any { return new(fastScratch) }}

type chatScalars struct {
	temperature, topP, presence, frequency      float64
	n, maxTokens, maxCompletion, topLogprobs    int
	seed                                        int64
	logprobs, store, parallel, usage, obfuscate bool
	streamOptions                               StreamOptions
	toolChoice                                  ToolChoice
}

// decodeChatFast decodes data into req (which must be zero) and returns the
// fields ChatRequest does not model, or ok false when the body is not of
// the shape it handles; req is then to be reset and decoded by the general
// path. data is valid UTF-8.
func decodeChatFast(data []byte, req *ChatRequest) (extra map[string]json.RawMessage, ok bool) {
	scratch := scratchPool.Get().(*fastScratch)
	defer scratchPool.Put(scratch)
	p := &fastPath{scanner: scanner{data: data}, src: unsafe.String(unsafe.SliceData(data), len(data)), scratch: scratch}
	if !p.object(func(key []byte) bool { return p.chatField(key, req, &extra) }) {
		return nil, false
	}
	return extra, p.end() == nil
}

// object walks an object, calling field with each key, the scanner on the
// value; field consumes the value. A key with an escape, or twice in the
// object, gives up.
func (p *fastPath) object(field func(key []byte) bool) bool {
	p.skipSpace()
	if !p.eat('{') {
		return false
	}
	p.skipSpace()
	if p.eat('}') {
		return true
	}
	var seen [24]struct{ start, end uint32 } // a duplicate key gives up
	n := 0
	for {
		p.skipSpace()
		start, end, ok := p.key()
		if !ok {
			return false
		}
		if n == len(seen) {
			return false // more keys than the common shape has
		}
		key := p.data[start:end]
		for _, k := range seen[:n] {
			if string(p.data[k.start:k.end]) == string(key) {
				return false
			}
		}
		seen[n].start, seen[n].end = uint32(start), uint32(end)
		n++
		p.skipSpace()
		if !p.eat(':') {
			return false
		}
		p.skipSpace()
		if !field(key) {
			return false
		}
		p.skipSpace()
		if p.eat('}') {
			return true
		}
		if !p.eat(',') {
			return false
		}
	}
}

// array walks an array, calling elem with the scanner on each element.
func (p *fastPath) array(elem func() bool) bool {
	if !p.eat('[') {
		return false
	}
	p.skipSpace()
	if p.eat(']') {
		return true
	}
	for {
		p.skipSpace()
		if !elem() {
			return false
		}
		p.skipSpace()
		if p.eat(']') {
			return true
		}
		if !p.eat(',') {
			return false
		}
	}
}

// key returns where an object key is, without its quotes; one with an
// escape gives up.
func (p *fastPath) key() (start, end int, ok bool) {
	start, end, escaped, ok := p.span()
	return start, end, ok && !escaped
}

// str decodes a string.
func (p *fastPath) str() (string, bool) {
	start, end, escaped, ok := p.span()
	switch {
	case !ok:
		return "", false
	case escaped:
		return unescape(p.data[start:end])
	}
	return p.src[start:end], true
}

// span skips a string and returns where its inside starts and ends, and
// whether it has escapes (checked as the scanner does).
func (p *fastPath) span() (start, end int, escaped, ok bool) {
	d := p.data
	if p.pos >= len(d) || d[p.pos] != '"' {
		return 0, 0, false, false
	}
	start = p.pos + 1
	i := start
	for i < len(d) && plainByte[d[i]] {
		i++
	}
	if i < len(d) && d[i] == '"' {
		p.pos = i + 1
		return start, i, false, true
	}
	if !p.skipString() {
		return 0, 0, false, false
	}
	return start, p.pos - 1, true, true
}

// plainByte is true for the bytes that may appear unescaped in a string
// and do not end it.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// unescape decodes the inside of a string the scanner checked; a \u escape
// of a surrogate gives up (the decoders differ in how they pair them).
func unescape(in []byte) (string, bool) {
	s, surrogate, ok := jsonx.Unescape(in)
	return s, ok && !surrogate
}

func (p *fastPath) boolean() (bool, bool) {
	switch {
	case p.literal("true"):
		return true, true
	case p.literal("false"):
		return false, true
	}
	return false, false
}

// float decodes a number.
func (p *fastPath) float() (float64, bool) {
	start := p.pos
	if !p.skipNumber() {
		return 0, false
	}
	f, err := strconv.ParseFloat(p.src[start:p.pos], 64)
	return f, err == nil
}

// integer decodes a number written as an integer of at most 18 digits.
func (p *fastPath) integer() (int64, bool) {
	start := p.pos
	if !p.skipNumber() || p.pos-start > 18 {
		return 0, false
	}
	n, err := strconv.ParseInt(p.src[start:p.pos], 10, 64)
	return n, err == nil
}

func (p *fastPath) scalar() *chatScalars {
	if p.scalars == nil {
		p.scalars = new(chatScalars)
	}
	return p.scalars
}

func (p *fastPath) floatPtr(dst **float64, slot *float64) bool {
	f, ok := p.float()
	*slot, *dst = f, slot
	return ok
}

func (p *fastPath) intPtr(dst **int, slot *int) bool {
	n, ok := p.integer()
	*slot, *dst = int(n), slot
	return ok
}

func (p *fastPath) boolPtr(dst **bool, slot *bool) bool {
	b, ok := p.boolean()
	*slot, *dst = b, slot
	return ok
}

func (p *fastPath) strInto(dst *string) bool {
	s, ok := p.str()
	*dst = s
	return ok
}

// chatField decodes one top-level member.
func (p *fastPath) chatField(key []byte, r *ChatRequest, extra *map[string]json.RawMessage) bool {
	switch string(key) {
	case "model":
		return p.strInto(&r.Model)
	case "messages":
		return p.messages(r)
	case "temperature":
		return p.floatPtr(&r.Temperature, &p.scalar().temperature)
	case "top_p":
		return p.floatPtr(&r.TopP, &p.scalar().topP)
	case "presence_penalty":
		return p.floatPtr(&r.PresencePenalty, &p.scalar().presence)
	case "frequency_penalty":
		return p.floatPtr(&r.FrequencyPenalty, &p.scalar().frequency)
	case "n":
		return p.intPtr(&r.N, &p.scalar().n)
	case "max_tokens":
		return p.intPtr(&r.MaxTokens, &p.scalar().maxTokens)
	case "max_completion_tokens":
		return p.intPtr(&r.MaxCompletionTokens, &p.scalar().maxCompletion)
	case "top_logprobs":
		return p.intPtr(&r.TopLogprobs, &p.scalar().topLogprobs)
	case "seed":
		n, ok := p.integer()
		s := p.scalar()
		s.seed, r.Seed = n, &s.seed
		return ok
	case "stream":
		b, ok := p.boolean()
		r.Stream = b
		return ok
	case "logprobs":
		return p.boolPtr(&r.Logprobs, &p.scalar().logprobs)
	case "store":
		return p.boolPtr(&r.Store, &p.scalar().store)
	case "parallel_tool_calls":
		return p.boolPtr(&r.ParallelToolCalls, &p.scalar().parallel)
	case "stream_options":
		s := p.scalar()
		r.StreamOptions = &s.streamOptions
		return p.object(func(key []byte) bool {
			switch string(key) {
			case "include_usage":
				return p.boolPtr(&s.streamOptions.IncludeUsage, &s.usage)
			case "include_obfuscation":
				return p.boolPtr(&s.streamOptions.IncludeObfuscation, &s.obfuscate)
			}
			return false
		})
	case "tool_choice":
		if p.peek() != '"' {
			return false
		}
		s := p.scalar()
		r.ToolChoice = &s.toolChoice
		return p.strInto(&s.toolChoice.Mode)
	case "tools":
		return p.tools(r)
	case "user":
		return p.strInto(&r.User)
	case "safety_identifier":
		return p.strInto(&r.SafetyIdentifier)
	case "prompt_cache_key":
		return p.strInto(&r.PromptCacheKey)
	case "prompt_cache_retention":
		return p.strInto(&r.PromptCacheRetention)
	case "reasoning_effort":
		return p.strInto(&r.ReasoningEffort)
	case "verbosity":
		return p.strInto(&r.Verbosity)
	case "service_tier":
		return p.strInto(&r.ServiceTier)
	}
	if _, known := chatKnown[string(key)]; known {
		return false // a field the general path decodes
	}
	for _, c := range key {
		if 'A' <= c && c <= 'Z' {
			return false // may be a case variant of a known field, which is refused
		}
	}
	start := p.pos
	if !p.skipValue(1) {
		return false
	}
	if *extra == nil {
		*extra = map[string]json.RawMessage{}
	}
	(*extra)[string(key)] = append(json.RawMessage(nil), p.data[start:p.pos]...)
	return true
}

// messages decodes the messages array.
func (p *fastPath) messages(r *ChatRequest) bool {
	list := p.scratch.messages[:0]
	ok := p.array(func() bool {
		list = append(list, Message{})
		return p.message(&list[len(list)-1])
	})
	r.Messages = append(make([]Message, 0, len(list)), list...)
	release(p.scratch.messages[:], len(list))
	return ok
}

func (p *fastPath) message(m *Message) bool {
	return p.object(func(key []byte) bool {
		switch string(key) {
		case "role":
			return p.strInto(&m.Role)
		case "name":
			return p.strInto(&m.Name)
		case "tool_call_id":
			return p.strInto(&m.ToolCallID)
		case "content":
			return p.content(&m.Content)
		case "tool_calls":
			return p.toolCalls(m)
		}
		return false
	})
}

// content decodes a string, null, or a list of text parts.
func (p *fastPath) content(c *MessageContent) bool {
	switch p.peek() {
	case 'n':
		return p.literal("null")
	case '"':
		c.u.Form = jsonx.String
		return p.strInto(&c.u.Text)
	case '[':
	default:
		return false
	}
	list := p.scratch.parts[:0]
	ok := p.array(func() bool {
		list = append(list, ContentPart{noText: true})
		part := &list[len(list)-1]
		return p.object(func(key []byte) bool {
			switch string(key) {
			case "type":
				return p.strInto(&part.Type)
			case "text":
				part.noText = false
				return p.strInto(&part.Text)
			}
			return false
		})
	})
	c.u.Form, c.u.List = jsonx.List, append(make([]ContentPart, 0, len(list)), list...)
	release(p.scratch.parts[:], len(list))
	return ok
}

// toolCalls decodes an assistant message's function calls.
func (p *fastPath) toolCalls(m *Message) bool {
	list := p.scratch.calls[:0]
	ok := p.array(func() bool {
		list = append(list, fastCall{})
		c := &list[len(list)-1]
		return p.object(func(key []byte) bool {
			switch string(key) {
			case "id":
				return p.strInto(&c.id)
			case "type":
				return p.strInto(&c.typ)
			case "function":
				c.hasFn = true
				return p.object(func(key []byte) bool {
					switch string(key) {
					case "name":
						return p.strInto(&c.fn.Name)
					case "arguments":
						return p.strInto(&c.fn.Arguments)
					}
					return false
				})
			}
			return false
		})
	})
	var calls []ToolCall
	var fns []FunctionCall
	if len(list) == 1 { // the common case, in one allocation
		one := new(struct {
			call [1]ToolCall
			fn   [1]FunctionCall
		})
		calls, fns = one.call[:], one.fn[:]
	} else {
		calls, fns = make([]ToolCall, len(list)), make([]FunctionCall, len(list))
	}
	for i, c := range list {
		calls[i] = ToolCall{ID: c.id, Type: c.typ}
		if c.hasFn {
			fns[i] = c.fn
			calls[i].Function = &fns[i]
		}
	}
	m.ToolCalls = calls
	release(p.scratch.calls[:], len(list))
	return ok
}

// tools decodes function tools.
func (p *fastPath) tools(r *ChatRequest) bool {
	list := p.scratch.tools[:0]
	ok := p.array(func() bool {
		list = append(list, fastTool{})
		t := &list[len(list)-1]
		return p.object(func(key []byte) bool {
			switch string(key) {
			case "type":
				return p.strInto(&t.typ)
			case "function":
				t.hasFn = true
				return p.object(func(key []byte) bool {
					switch string(key) {
					case "name":
						return p.strInto(&t.def.Name)
					case "description":
						return p.strInto(&t.def.Description)
					case "strict":
						b, ok := p.boolean()
						t.strict, t.hasStrict = b, true
						return ok
					case "parameters":
						if p.peek() != '{' {
							return false
						}
						start := p.pos
						if !p.skipValue(4) { // body{tools[{function{parameters
							return false
						}
						t.def.Parameters = json.RawMessage(p.data[start:p.pos:p.pos]) // a slice of Raw, as Extra's values are
						return true
					}
					return false
				})
			}
			return false
		})
	})
	// One allocation for the definitions and their strict flags (and the
	// list, when there is one tool).
	type def struct {
		FunctionDefinition
		strict bool
	}
	var defs []def
	if len(list) == 1 {
		one := new(struct {
			tool [1]Tool
			def  [1]def
		})
		r.Tools, defs = one.tool[:], one.def[:]
	} else {
		r.Tools, defs = make([]Tool, len(list)), make([]def, len(list))
	}
	for i, t := range list {
		r.Tools[i].Type = t.typ
		if t.hasFn {
			d := &defs[i]
			d.FunctionDefinition, d.strict = t.def, t.strict
			if t.hasStrict {
				d.Strict = &d.strict
			}
			r.Tools[i].Function = &d.FunctionDefinition
		}
	}
	release(p.scratch.tools[:], len(list))
	return ok
}

// release clears the first n entries of a scratch list (all of them when
// the list outgrew it), so that the pool keeps no request alive.
func release[T any](scratch []T, n int) {
	clear(scratch[:min(n, len(scratch))])
}
