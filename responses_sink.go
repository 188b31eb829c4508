package oaicompat

import (
	"net/http"
	"strings"
	"sync"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/oaicompat/oaicompat/internal/jsonx"
	"github.com/oaicompat/oaicompat/responses"
)

// responseSink is the sink of a translated Responses request: it turns the
// chat deltas of one choice into Response output items, and, when streaming,
// into the named, sequenced events of the Responses API:
//
//	response.created, response.in_progress        (before the first output)
//	response.output_item.added                    (a message or function call starts)
//	response.content_part.added                   (output_text or refusal part)
//	response.output_text.delta / response.refusal.delta
//	response.function_call_arguments.delta
//	... .done events and response.output_item.done (item closed)
//	response.completed | response.incomplete       (end)
//	error + response.failed                       (backend error after output began)
//
// Items follow the order the backend writes them in. A message closes when
// a function call starts (text after a call opens a new message); function
// calls stay open until the end, so that a backend may interleave the
// argument fragments of parallel calls. The first events are sent lazily
// with the first output, so that an error before any output is still an
// ordinary JSON error with its HTTP status.
type responseSink struct {
	es   *eventStream // nil: collect only
	w    http.ResponseWriter
	ids  func(prefix string) string
	now  func() time.Time
	keep func(*responses.Response) // stores the finished response, when asked to

	mu      sync.Mutex
	resp    *responses.Response // the skeleton: request echo, id, created_at
	items   []*outItem
	msg     *outItem   // the open message item, or nil
	thought *outItem   // the open reasoning item, or nil
	calls   []*outItem // function calls by tool-call index
	finish  string
	seq     int64
	started bool
	js      []byte // event JSON scratch
	frame   []byte // framed event scratch
}

type outItem struct {
	responses.OutputItem
	index       int
	text        strings.Builder
	refusal     strings.Builder
	args        strings.Builder
	logprobs    []TokenLogprob
	textPart    int // content index of the output_text part, or -1
	refusalPart int // content index of the refusal part, or -1
	closed      bool
}

func newResponseSink(es *eventStream, skeleton *responses.Response, ids func(string) string) *responseSink {
	return &responseSink{es: es, resp: skeleton, ids: ids}
}

// end completes the response: stored (so that a client may chain on it as
// soon as it sees the end), then sent as one object or as the terminal
// event.
func (s *responseSink) end(u Usage) error { return s.complete(nil, u) }

// fail ends a stream that began: the response failed with e.
func (s *responseSink) fail(e *Error, u Usage) error { return s.complete(e, u) }

func (s *responseSink) complete(e *Error, u Usage) error {
	resp, err := s.finishResponse(e, s.now().Unix(), u)
	if err != nil {
		return err // the stream broke; the client is gone
	}
	if s.keep != nil {
		s.keep(resp)
	}
	if s.es == nil {
		return writeJSON(s.w, http.StatusOK, resp)
	}
	return s.terminal(resp, e)
}

func (s *responseSink) delta(_ int, d Delta) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.start(); err != nil {
		return err
	}
	if d.Reasoning != "" || d.ReasoningSignature != "" {
		if err := s.reasoning(d.Reasoning, d.ReasoningSignature); err != nil {
			return err
		}
	}
	if d.Content != "" {
		m, err := s.message()
		if err != nil {
			return err
		}
		if m.textPart < 0 {
			m.textPart = len(m.Content)
			m.Content = append(m.Content, responses.OutputContent{Type: "output_text"})
			if err := s.partEvent("response.content_part.added", m, m.textPart); err != nil {
				return err
			}
		}
		m.text.WriteString(d.Content)
		m.logprobs = append(m.logprobs, d.Logprobs...)
		if s.es != nil {
			b := s.head("response.output_text.delta")
			b = appendItemRef(b, m, m.textPart)
			b = append(b, `,"delta":`...)
			b = jsonx.AppendString(b, d.Content)
			b = append(b, `,"logprobs":`...)
			b = appendLogprobs(b, d.Logprobs)
			if err := s.emit("response.output_text.delta", b); err != nil {
				return err
			}
		}
	}
	if d.Refusal != "" {
		m, err := s.message()
		if err != nil {
			return err
		}
		if m.refusalPart < 0 {
			m.refusalPart = len(m.Content)
			m.Content = append(m.Content, responses.OutputContent{Type: "refusal"})
			if err := s.partEvent("response.content_part.added", m, m.refusalPart); err != nil {
				return err
			}
		}
		m.refusal.WriteString(d.Refusal)
		if s.es != nil {
			b := s.head("response.refusal.delta")
			b = appendItemRef(b, m, m.refusalPart)
			b = append(b, `,"delta":`...)
			b = jsonx.AppendString(b, d.Refusal)
			if err := s.emit("response.refusal.delta", b); err != nil {
				return err
			}
		}
	}
	if tc := d.ToolCall; tc != nil {
		if err := s.toolCall(tc); err != nil {
			return err
		}
	}
	if d.FinishReason != "" {
		s.finish = d.FinishReason
	}
	return nil
}

// reasoning handles a piece of reasoning: the first one after other output
// adds a reasoning item, whose text is its one summary part.
func (s *responseSink) reasoning(text, signature string) error {
	r := s.thought
	if r == nil {
		if err := s.closeMessage(); err != nil {
			return err
		}
		r = s.add(responses.OutputItem{Type: "reasoning", ID: s.ids("rs_"), Status: responses.StatusInProgress})
		s.thought = r
		if err := s.itemEvent("response.output_item.added", r); err != nil {
			return err
		}
		if err := s.summaryEvent("response.reasoning_summary_part.added", r, ""); err != nil {
			return err
		}
	}
	r.EncryptedContent += signature
	if text == "" {
		return nil
	}
	r.text.WriteString(text)
	if s.es == nil {
		return nil
	}
	b := s.head("response.reasoning_summary_text.delta")
	b = appendItemRef(b, r, -1)
	b = append(b, `,"summary_index":0,"delta":`...)
	b = jsonx.AppendString(b, text)
	return s.emit("response.reasoning_summary_text.delta", b)
}

// summaryEvent sends a reasoning_summary_part event with text as the part.
func (s *responseSink) summaryEvent(name string, r *outItem, text string) error {
	if s.es == nil {
		return nil
	}
	b := s.head(name)
	b = appendItemRef(b, r, -1)
	b = append(b, `,"summary_index":0,"part":{"type":"summary_text","text":`...)
	b = jsonx.AppendString(b, text)
	b = append(b, '}')
	return s.emit(name, b)
}

// closeReasoning closes the open reasoning item, if any.
func (s *responseSink) closeReasoning() error {
	r := s.thought
	if r == nil {
		return nil
	}
	s.thought = nil
	return s.closeItem(r, responses.StatusCompleted)
}

// toolCall handles a tool-call fragment: the first one of a call adds a
// function_call item.
func (s *responseSink) toolCall(tc *ToolCallDelta) error {
	if tc.Index == len(s.calls) {
		if err := s.closeMessage(); err != nil {
			return err
		}
		if err := s.closeReasoning(); err != nil {
			return err
		}
		fc := s.add(responses.OutputItem{Type: "function_call", ID: s.ids("fc_"), Status: responses.StatusInProgress, CallID: tc.ID, Name: tc.Name})
		s.calls = append(s.calls, fc)
		if err := s.itemEvent("response.output_item.added", fc); err != nil {
			return err
		}
	}
	fc := s.calls[tc.Index]
	if tc.Arguments == "" {
		return nil
	}
	fc.args.WriteString(tc.Arguments)
	if s.es == nil {
		return nil
	}
	b := s.head("response.function_call_arguments.delta")
	b = appendItemRef(b, fc, -1)
	b = append(b, `,"delta":`...)
	b = jsonx.AppendString(b, tc.Arguments)
	return s.emit("response.function_call_arguments.delta", b)
}

// add appends a new output item.
func (s *responseSink) add(it responses.OutputItem) *outItem {
	o := &outItem{OutputItem: it, index: len(s.items), textPart: -1, refusalPart: -1}
	s.items = append(s.items, o)
	return o
}

// message returns the open message item, opening one if needed.
func (s *responseSink) message() (*outItem, error) {
	if s.msg != nil {
		return s.msg, nil
	}
	if err := s.closeReasoning(); err != nil {
		return nil, err
	}
	s.msg = s.add(responses.OutputItem{Type: "message", ID: s.ids("msg_"), Status: responses.StatusInProgress, Role: RoleAssistant, Content: []responses.OutputContent{}})
	return s.msg, s.itemEvent("response.output_item.added", s.msg)
}

// start sends response.created and response.in_progress before the first
// output.
func (s *responseSink) start() error {
	if s.started {
		return nil
	}
	s.started = true
	if s.es == nil {
		return nil
	}
	snap := *s.resp
	snap.Output = []responses.OutputItem{}
	for _, name := range [...]string{"response.created", "response.in_progress"} {
		if err := s.responseEvent(name, &snap); err != nil {
			return err
		}
	}
	return nil
}

// closeMessage closes the open message item, if any.
func (s *responseSink) closeMessage() error {
	m := s.msg
	if m == nil {
		return nil
	}
	s.msg = nil
	return s.closeItem(m, responses.StatusCompleted)
}

// closeItem fills in an item's final content and sends its .done events.
func (s *responseSink) closeItem(o *outItem, status string) error {
	o.closed = true
	o.Status = status
	if o.Type == "reasoning" {
		o.Summary = o.text.String()
		if s.es != nil {
			b := s.head("response.reasoning_summary_text.done")
			b = appendItemRef(b, o, -1)
			b = append(b, `,"summary_index":0,"text":`...)
			b = jsonx.AppendString(b, o.Summary)
			if err := s.emit("response.reasoning_summary_text.done", b); err != nil {
				return err
			}
			if err := s.summaryEvent("response.reasoning_summary_part.done", o, o.Summary); err != nil {
				return err
			}
		}
		return s.itemEvent("response.output_item.done", o)
	}
	if o.Type == "function_call" {
		o.Arguments = o.args.String()
		if s.es != nil {
			b := s.head("response.function_call_arguments.done")
			b = appendItemRef(b, o, -1)
			b = append(b, `,"name":`...)
			b = jsonx.AppendString(b, o.Name)
			b = append(b, `,"arguments":`...)
			b = jsonx.AppendString(b, o.Arguments)
			if err := s.emit("response.function_call_arguments.done", b); err != nil {
				return err
			}
		}
		return s.itemEvent("response.output_item.done", o)
	}
	for ci := range o.Content {
		c := &o.Content[ci]
		if c.Type == "refusal" {
			c.Refusal = o.refusal.String()
		} else {
			c.Text, c.Logprobs = o.text.String(), wireLogprobs(o.logprobs)
		}
		if s.es == nil {
			continue
		}
		if c.Type == "refusal" {
			b := s.head("response.refusal.done")
			b = appendItemRef(b, o, ci)
			b = append(b, `,"refusal":`...)
			b = jsonx.AppendString(b, c.Refusal)
			if err := s.emit("response.refusal.done", b); err != nil {
				return err
			}
		} else {
			b := s.head("response.output_text.done")
			b = appendItemRef(b, o, ci)
			b = append(b, `,"text":`...)
			b = jsonx.AppendString(b, c.Text)
			b = append(b, `,"logprobs":`...)
			b = appendLogprobs(b, o.logprobs)
			if err := s.emit("response.output_text.done", b); err != nil {
				return err
			}
		}
		if err := s.partEvent("response.content_part.done", o, ci); err != nil {
			return err
		}
	}
	return s.itemEvent("response.output_item.done", o)
}

// finishResponse closes every open item and returns the final Response,
// without sending the terminal event (the handler stores the response
// first, so that a client can chain on it as soon as it sees the end).
// A nil err completes the response (or leaves it incomplete after a
// "length" or "content_filter" finish); otherwise it failed with e.
func (s *responseSink) finishResponse(e *Error, completedAt int64, u Usage) (*responses.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := *s.resp
	if e != nil {
		out.Status = responses.StatusFailed
		out.Error = &responses.Error{Code: responseErrorCode(e), Message: e.Message}
	} else {
		if err := s.start(); err != nil {
			return nil, err
		}
		out.Status = responses.StatusCompleted
		switch s.finish {
		case FinishLength:
			out.Status, out.IncompleteDetails = responses.StatusIncomplete, &responses.IncompleteDetails{Reason: "max_output_tokens"}
		case FinishContentFilter:
			out.Status, out.IncompleteDetails = responses.StatusIncomplete, &responses.IncompleteDetails{Reason: "content_filter"}
		}
		if out.Status == responses.StatusCompleted {
			out.CompletedAt = &completedAt
		}
		s.msg, s.thought = nil, nil
		for _, o := range s.items {
			if !o.closed {
				if err := s.closeItem(o, out.Status); err != nil {
					return nil, err
				}
			}
		}
	}
	out.Output = make([]responses.OutputItem, len(s.items))
	for i, o := range s.items {
		if !o.closed { // failed mid-item
			o.Status = responses.StatusIncomplete
			o.Arguments = o.args.String()
			if o.Type == "reasoning" {
				o.Summary = o.text.String()
			}
			for ci := range o.Content {
				o.Content[ci].Text, o.Content[ci].Refusal = o.text.String(), o.refusal.String()
			}
		}
		out.Output[i] = o.OutputItem
	}
	out.Usage = responseUsage(u)
	return &out, nil
}

// terminal sends the last event of the stream: response.completed,
// response.incomplete, or an error event followed by response.failed.
func (s *responseSink) terminal(resp *responses.Response, e *Error) error {
	if s.es == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e != nil {
		if !s.started {
			// Only a keep-alive went out: tell the story from its start.
			s.started = true
			snap := *s.resp
			snap.Output = []responses.OutputItem{}
			if err := s.responseEvent("response.created", &snap); err != nil {
				return err
			}
		}
		b := appendErrorEventFields(s.head("error"), e)
		if err := s.emit("error", b); err != nil {
			return err
		}
	}
	name := "response.completed"
	switch resp.Status {
	case responses.StatusIncomplete:
		name = "response.incomplete"
	case responses.StatusFailed:
		name = "response.failed"
	}
	return s.responseEvent(name, resp)
}

// appendErrorEventFields appends the fields of the error event: the spec's
// flat code, message and param, and the nested error object the live API
// sends (which is what makes every SDK raise).
func appendErrorEventFields(b []byte, e *Error) []byte {
	b = append(b, `,"code":`...)
	b = jsonx.AppendNullableString(b, e.Code)
	b = append(b, `,"message":`...)
	b = jsonx.AppendString(b, e.Message)
	b = append(b, `,"param":`...)
	b = jsonx.AppendNullableString(b, e.Param)
	b = append(b, `,"error":`...)
	// The nested object is the inner object of the error envelope.
	n := len(b)
	b = appendErrorBody(b, e)
	return append(b[:n], b[n+len(`{"error":`):len(b)-1]...)
}

// responseErrorCode maps an error to a ResponseErrorCode.
func responseErrorCode(e *Error) string {
	switch {
	case e.Status == 429:
		return "rate_limit_exceeded"
	case e.Status >= 500:
		return "server_error"
	case e.Code == "invalid_prompt" || e.Code == "context_length_exceeded":
		return "invalid_prompt"
	}
	if e.Code != "" {
		return e.Code
	}
	return "server_error"
}

// Event encoding. Each event's JSON is built in s.js and framed into
// s.frame by appendEventFrame.

// head starts an event's JSON: {"type":name,"sequence_number":n
func (s *responseSink) head(name string) []byte {
	b := append(s.js[:0], `{"type":`...)
	b = jsonx.AppendString(b, name)
	b = append(b, `,"sequence_number":`...)
	b = jsonx.AppendInt(b, s.seq)
	s.seq++
	return b
}

// emit closes the event's JSON and writes it.
func (s *responseSink) emit(name string, js []byte) error {
	js = append(js, '}')
	s.js = js
	s.frame = appendEventFrame(s.frame[:0], name, js)
	return s.es.write(s.frame)
}

func (s *responseSink) itemEvent(name string, o *outItem) error {
	if s.es == nil {
		return nil
	}
	b := s.head(name)
	b = append(b, `,"output_index":`...)
	b = jsonx.AppendInt(b, int64(o.index))
	b = append(b, `,"item":`...)
	b = o.OutputItem.AppendJSON(b)
	return s.emit(name, b)
}

func (s *responseSink) partEvent(name string, o *outItem, ci int) error {
	if s.es == nil {
		return nil
	}
	b := s.head(name)
	b = appendItemRef(b, o, ci)
	b = append(b, `,"part":`...)
	b = o.Content[ci].AppendJSON(b)
	return s.emit(name, b)
}

func (s *responseSink) responseEvent(name string, r *responses.Response) error {
	js, err := gojson.Marshal(r)
	if err != nil {
		return err
	}
	b := s.head(name)
	b = append(b, `,"response":`...)
	b = append(b, js...)
	return s.emit(name, b)
}

// appendItemRef appends item_id, output_index and, for ci >= 0, content_index.
func appendItemRef(b []byte, o *outItem, ci int) []byte {
	b = append(b, `,"item_id":`...)
	b = jsonx.AppendString(b, o.ID)
	b = append(b, `,"output_index":`...)
	b = jsonx.AppendInt(b, int64(o.index))
	if ci >= 0 {
		b = append(b, `,"content_index":`...)
		b = jsonx.AppendInt(b, int64(ci))
	}
	return b
}

// wireLogprobs converts logprobs to the Responses wire type.
func wireLogprobs(lps []TokenLogprob) []responses.Logprob {
	if lps == nil {
		return nil
	}
	out := make([]responses.Logprob, len(lps))
	for i, lp := range lps {
		out[i] = responses.Logprob{Token: lp.Token, Logprob: lp.Logprob, Bytes: lp.Bytes}
		for _, t := range lp.TopLogprobs {
			out[i].TopLogprobs = append(out[i].TopLogprobs, responses.TopLogprob(t))
		}
	}
	return out
}
