package oaicompat

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat/responses"
)

// The translation fuzz tests: any valid Responses request translates to a
// chat request that passes (*ChatRequest).Validate, and any sequence of
// deltas a ChatWriter accepts yields a valid Responses event sequence (and
// the same Response streamed or not).

// genBytes hands out fuzz bytes as choices.
type genBytes struct {
	b []byte
	i int
}

func (g *genBytes) n(k int) int {
	if g.i >= len(g.b) || k <= 1 {
		return 0
	}
	g.i++
	return int(g.b[g.i-1]) % k
}

func (g *genBytes) pick(xs ...string) string { return xs[g.n(len(xs))] }

// genResponseRequest builds a Responses request body, valid or not, from g.
func genResponseRequest(g *genBytes) map[string]any {
	req := map[string]any{"model": g.pick("m", "", "gpt-x")}
	part := func(role string) map[string]any {
		switch g.pick("input_text", "input_text", "output_text", "refusal", "input_image", "input_file", "bogus", "") {
		case "input_text":
			return map[string]any{"type": "input_text", "text": g.pick("", "hi", "x y")}
		case "output_text":
			return map[string]any{"type": "output_text", "text": "o", "annotations": []any{}}
		case "refusal":
			return map[string]any{"type": "refusal", "refusal": "no"}
		case "input_image":
			p := map[string]any{"type": "input_image", "detail": g.pick("auto", "low", "high", "original", "huge", "")}
			switch g.n(3) {
			case 0:
				p["image_url"] = "http://i/x.png"
			case 1:
				p["file_id"] = "file_1"
			}
			return p
		case "input_file":
			p := map[string]any{"type": "input_file"}
			switch g.n(4) {
			case 0:
				p["file_data"] = "data:application/pdf;base64,AA"
			case 1:
				p["file_id"] = "file_2"
			case 2:
				p["file_url"] = "http://f"
			}
			return p
		case "bogus":
			return map[string]any{"type": "image_url"}
		}
		return map[string]any{"text": "no type"}
	}
	switch g.n(4) {
	case 0:
		req["input"] = g.pick("", "hello")
	case 1:
	default:
		var items []any
		for k := g.n(6); k >= 0; k-- {
			switch g.pick("msg", "msg", "typed", "call", "output", "reasoning", "other") {
			case "msg", "typed":
				role := g.pick("user", "assistant", "system", "developer", "tool", "")
				it := map[string]any{"role": role}
				if g.n(2) == 0 {
					it["type"] = "message"
				}
				switch g.n(4) {
				case 0:
					it["content"] = g.pick("", "text")
				case 1:
					it["content"] = []any{}
				case 2:
				default:
					var parts []any
					for j := g.n(3); j >= 0; j-- {
						parts = append(parts, part(role))
					}
					it["content"] = parts
				}
				items = append(items, it)
			case "call":
				items = append(items, map[string]any{"type": "function_call", "call_id": g.pick("call_1", ""), "name": g.pick("f", ""), "arguments": "{}"})
			case "output":
				it := map[string]any{"type": "function_call_output", "call_id": g.pick("call_1", "", strings.Repeat("c", 65))}
				switch g.n(3) {
				case 0:
					it["output"] = "r"
				case 1:
					it["output"] = []any{part("user")}
				}
				items = append(items, it)
			case "reasoning":
				items = append(items, map[string]any{"type": "reasoning", "id": "rs_1", "summary": []any{map[string]any{"type": "summary_text", "text": "t"}}})
			default:
				items = append(items, map[string]any{"type": g.pick("item_reference", "web_search_call"), "id": "x"})
			}
		}
		req["input"] = items
	}
	if g.n(3) == 0 {
		req["instructions"] = g.pick("", "be nice")
	}
	var tools []any
	for k := g.n(3); k > 0; k-- {
		switch g.pick("function", "function", "custom", "web_search", "") {
		case "function":
			t := map[string]any{"type": "function", "name": g.pick("f", "g", "bad name", "")}
			switch g.n(3) {
			case 0:
				t["parameters"] = map[string]any{"type": "object"}
			case 1:
				t["parameters"] = nil
			}
			if g.n(2) == 0 {
				t["strict"] = true
			}
			tools = append(tools, t)
		case "custom":
			tools = append(tools, map[string]any{"type": "custom", "name": g.pick("c", "")})
		case "web_search":
			tools = append(tools, map[string]any{"type": "web_search"})
		default:
			tools = append(tools, map[string]any{"name": "x"})
		}
	}
	if tools != nil {
		req["tools"] = tools
	}
	switch g.n(6) {
	case 0:
		req["tool_choice"] = g.pick("auto", "none", "required", "sometimes")
	case 1:
		req["tool_choice"] = map[string]any{"type": g.pick("function", "custom"), "name": g.pick("f", "c", "zz", "")}
	case 2:
		req["tool_choice"] = map[string]any{"type": "allowed_tools", "mode": g.pick("auto", "required", "x"),
			"tools": []any{map[string]any{"type": g.pick("function", "web_search"), "name": "f"}}}
	case 3:
		req["tool_choice"] = map[string]any{"type": "web_search_preview"}
	}
	switch g.n(5) {
	case 0:
		req["text"] = map[string]any{"format": map[string]any{"type": g.pick("text", "json_object", "yaml")}}
	case 1:
		f := map[string]any{"type": "json_schema", "name": g.pick("s", "bad name", "")}
		switch g.n(3) {
		case 0:
			f["schema"] = map[string]any{"type": "object"}
		case 1:
			f["schema"] = "not an object"
		}
		req["text"] = map[string]any{"format": f, "verbosity": g.pick("low", "loud")}
	}
	nums := []struct {
		name string
		vals []any
	}{
		{"temperature", []any{0.0, 1.5, 2.5, -1.0}},
		{"top_p", []any{0.0, 1.0, 1.5}},
		{"max_output_tokens", []any{16, 15, 1000, 0}},
		{"top_logprobs", []any{0, 5, 21}},
		{"max_tool_calls", []any{1, 0}},
	}
	for _, nf := range nums {
		if g.n(3) == 0 {
			req[nf.name] = nf.vals[g.n(len(nf.vals))]
		}
	}
	if g.n(3) == 0 {
		req["reasoning"] = map[string]any{"effort": g.pick("low", "high", "extreme"), "summary": "auto"}
	}
	if g.n(3) == 0 {
		req["include"] = []any{g.pick("message.output_text.logprobs", "reasoning.encrypted_content", "everything")}
	}
	if g.n(3) == 0 {
		req["service_tier"] = g.pick("auto", "ultrafast", "flex", "cheap")
	}
	if g.n(3) == 0 {
		req["metadata"] = map[string]any{"k": g.pick("v", strings.Repeat("v", 513))}
	}
	if g.n(4) == 0 {
		req["parallel_tool_calls"] = g.n(2) == 0
	}
	if g.n(4) == 0 {
		req["stream"] = true
		if g.n(2) == 0 {
			req["stream_options"] = map[string]any{"include_obfuscation": false}
		}
	}
	if g.n(5) == 0 {
		req["background"] = g.n(2) == 0
		req["store"] = g.n(2) == 0
	}
	if g.n(6) == 0 {
		req["truncation"] = g.pick("auto", "disabled", "sometimes")
	}
	return req
}

func FuzzResponsesTranslation(f *testing.F) {
	for _, seed := range []string{"", "\x02\x00\x01\x02\x03", "\x03\x05\x00\x00\x01\x02\x03\x04\x05\x06\x07", strings.Repeat("\x01\x02\x03", 30),
		strings.Repeat("\x00", 60), strings.Repeat("\xff\x07", 40)} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		body, err := json.Marshal(genResponseRequest(&genBytes{b: data}))
		if err != nil {
			t.Fatal(err)
		}
		var req responses.Request
		extra, err := decodeRequest(body, &req, nil)
		if err != nil {
			return // a decode error is an ordinary 400
		}
		req.Raw, req.Extra = body, extra
		if err := validateResponses(&req); err != nil {
			if e := AsError(err); e.Status != 400 {
				t.Fatalf("validation error %v is not a 400", e)
			}
			return
		}
		history := []responses.InputItem{{Type: "message", Role: RoleUser, Content: responses.TextContent("before")},
			{Type: "function_call", CallID: "call_h", Name: "f", Arguments: "{}"},
			{Type: "function_call_output", CallID: "call_h", Output: responses.TextContent("done")}}
		for _, h := range [][]responses.InputItem{nil, history} {
			chat, err := responsesToChat(&req, h)
			if err != nil {
				if e := AsError(err); e.Status != 400 || e.Param == "" {
					t.Fatalf("translation error %v: want a 400 naming a param", e)
				}
				continue
			}
			if err := chat.validate(); err != nil {
				t.Fatalf("valid Responses request\n%s\ntranslated to an invalid chat request: %v", body, err)
			}
		}
	})
}

// genDeltas drives a ChatWriter with a delta sequence chosen by g.
func genDeltas(g *genBytes, w *ChatWriter) {
	started := 0
	for k := g.n(40); k >= 0; k-- {
		switch g.n(9) {
		case 8:
			_ = w.WriteReasoning(g.pick("think", " more", "ü"))
		case 0, 1:
			d := Delta{Content: g.pick("a", "b ", "ü", "\"q\"")}
			if g.n(2) == 0 {
				d.Logprobs = []TokenLogprob{{Token: d.Content, Logprob: -1}}
			}
			_ = w.WriteDelta(d)
		case 2:
			_ = w.WriteRefusal(g.pick("no", "never"))
		case 3:
			if _, err := w.StartToolCall(g.pick("", "call_x"), g.pick("f", "g")); err == nil {
				started++
			}
		case 4, 5:
			if started > 0 {
				_ = w.WriteToolCallArguments(g.n(started), g.pick(`{"`, `a":`, `1}`))
			}
		case 6:
			if started < 3 {
				_ = w.WriteToolCall("", "h", `{"z":0}`)
				started++
			}
		case 7:
			if g.n(4) == 0 {
				_ = w.Finish(g.pick(FinishStop, FinishLength, FinishContentFilter, FinishToolCalls))
			}
		}
	}
	_ = w.finishOpen()
}

func FuzzResponsesEvents(f *testing.F) {
	for _, seed := range []string{"", "\x00\x01\x02", "\x10\x03\x04\x00\x03\x05\x04\x00\x01\x07\x00", strings.Repeat("\x03\x04\x00\x01", 20),
		strings.Repeat("\x02\x06\x00", 10)} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		yes := true
		chat := &ChatRequest{Model: "m", Messages: []Message{{Role: RoleUser, Content: TextContent("x")}}, Logprobs: &yes}
		ids := func() func(string) string {
			n := 0
			return func(p string) string { n++; return fmt.Sprintf("%s%d", p, n) }
		}
		skel := responseSkeleton(&responses.Request{Model: "m"}, "resp_1", 1, false)

		rec := httptest.NewRecorder()
		es := newEventStream(rec, 0, 0)
		streamed := newResponseSink(es, skel, ids())
		genDeltas(&genBytes{b: data}, newChatWriter(&tallied{t: &tally{}, next: streamed}, chat, ids(), "call_"))
		final, err := streamed.finishResponse(nil, 2, Usage{})
		if err != nil {
			t.Fatal(err)
		}
		if err := streamed.terminal(final, nil); err != nil {
			t.Fatal(err)
		}
		es.close()
		completed := checkEventSequence(t, rec.Body.Bytes())

		collected := newResponseSink(nil, skel, ids())
		genDeltas(&genBytes{b: data}, newChatWriter(&tallied{t: &tally{}, next: collected}, chat, ids(), "call_"))
		resp, err := collected.finishResponse(nil, 2, Usage{})
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(resp)
		if !bytes.Equal(a, completed) {
			t.Fatalf("non-streamed Response differs from the streamed one:\n%s\n%s", a, completed)
		}
	})
}

// checkEventSequence checks a Responses event stream and returns the
// response of its terminal event.
func checkEventSequence(t *testing.T, stream []byte) json.RawMessage {
	t.Helper()
	type item struct {
		typ, id string
		done    bool
		parts   map[int]*strings.Builder
		pdone   map[int]bool
		args    strings.Builder
	}
	var items []*item
	var terminal json.RawMessage
	seq := 0
	sc := bufio.NewScanner(bytes.NewReader(stream))
	sc.Buffer(nil, 1<<24)
	var name string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			name = line[7:]
			continue
		case line == "":
			continue
		case !strings.HasPrefix(line, "data: "):
			t.Fatalf("unexpected line %q", line)
		}
		if terminal != nil {
			t.Fatalf("event after the terminal event: %s", line)
		}
		var ev struct {
			Type           string          `json:"type"`
			SequenceNumber int             `json:"sequence_number"`
			OutputIndex    *int            `json:"output_index"`
			ContentIndex   *int            `json:"content_index"`
			ItemID         string          `json:"item_id"`
			Delta          string          `json:"delta"`
			Text           *string         `json:"text"`
			Refusal        *string         `json:"refusal"`
			Arguments      *string         `json:"arguments"`
			Item           json.RawMessage `json:"item"`
			Response       json.RawMessage `json:"response"`
			Logprobs       json.RawMessage `json:"logprobs"`
			SummaryIndex   *int            `json:"summary_index"`
			Part           *struct {
				Type, Text string
			} `json:"part"`
		}
		if err := json.Unmarshal([]byte(line[6:]), &ev); err != nil {
			t.Fatalf("bad event JSON %q: %v", line, err)
		}
		if ev.Type != name || ev.SequenceNumber != seq {
			t.Fatalf("event %q (data type %q) has sequence_number %d, want %d", name, ev.Type, ev.SequenceNumber, seq)
		}
		if seq == 0 && ev.Type != "response.created" || seq == 1 && ev.Type != "response.in_progress" {
			t.Fatalf("event %d is %s", seq, ev.Type)
		}
		seq++
		it := func() *item {
			if ev.OutputIndex == nil || *ev.OutputIndex >= len(items) {
				t.Fatalf("%s for an unknown output index", ev.Type)
			}
			x := items[*ev.OutputIndex]
			if x.done {
				t.Fatalf("%s after output_item.done", ev.Type)
			}
			if ev.ItemID != "" && ev.ItemID != x.id {
				t.Fatalf("%s: item_id %q, want %q", ev.Type, ev.ItemID, x.id)
			}
			return x
		}
		part := func(x *item) *strings.Builder {
			if ev.ContentIndex == nil || x.parts[*ev.ContentIndex] == nil || x.pdone[*ev.ContentIndex] {
				t.Fatalf("%s for a content part that is not open", ev.Type)
			}
			return x.parts[*ev.ContentIndex]
		}
		switch ev.Type {
		case "response.created", "response.in_progress":
		case "response.output_item.added":
			var head struct{ Type, ID string }
			_ = json.Unmarshal(ev.Item, &head)
			if *ev.OutputIndex != len(items) {
				t.Fatalf("item added at %d, want %d", *ev.OutputIndex, len(items))
			}
			items = append(items, &item{typ: head.Type, id: head.ID, parts: map[int]*strings.Builder{}, pdone: map[int]bool{}})
		case "response.content_part.added":
			x := it()
			if x.typ != "message" || ev.ContentIndex == nil || *ev.ContentIndex != len(x.parts) {
				t.Fatalf("content part added out of order")
			}
			x.parts[*ev.ContentIndex] = &strings.Builder{}
		case "response.output_text.delta", "response.refusal.delta":
			if ev.Type == "response.output_text.delta" && len(ev.Logprobs) == 0 {
				t.Fatal("output_text.delta without logprobs")
			}
			part(it()).WriteString(ev.Delta)
		case "response.output_text.done", "response.refusal.done":
			x := it()
			got := ev.Text
			if got == nil {
				got = ev.Refusal
			}
			if got == nil || *got != part(x).String() {
				t.Fatalf("%s text %v, deltas %q", ev.Type, got, part(x).String())
			}
		case "response.content_part.done":
			x := it()
			part(x)
			x.pdone[*ev.ContentIndex] = true
		case "response.reasoning_summary_part.added":
			x := it()
			if x.typ != "reasoning" || ev.SummaryIndex == nil || *ev.SummaryIndex != 0 || ev.Part == nil || ev.Part.Type != "summary_text" {
				t.Fatalf("summary part added out of order: %s", line)
			}
			x.parts[0] = &strings.Builder{}
		case "response.reasoning_summary_text.delta":
			x := it()
			if ev.SummaryIndex == nil || x.parts[*ev.SummaryIndex] == nil || x.pdone[*ev.SummaryIndex] {
				t.Fatalf("summary text for a part that is not open: %s", line)
			}
			x.parts[*ev.SummaryIndex].WriteString(ev.Delta)
		case "response.reasoning_summary_text.done", "response.reasoning_summary_part.done":
			x := it()
			text := ev.Text
			if ev.Part != nil {
				text = &ev.Part.Text
				x.pdone[*ev.SummaryIndex] = true
			}
			if ev.SummaryIndex == nil || x.parts[*ev.SummaryIndex] == nil || text == nil || *text != x.parts[*ev.SummaryIndex].String() {
				t.Fatalf("%s: text %v, deltas %q", ev.Type, text, x.parts[0])
			}
		case "response.function_call_arguments.delta":
			x := it()
			if x.typ != "function_call" {
				t.Fatal("arguments delta for a message")
			}
			x.args.WriteString(ev.Delta)
		case "response.function_call_arguments.done":
			x := it()
			if ev.Arguments == nil || *ev.Arguments != x.args.String() {
				t.Fatalf("arguments.done %v, deltas %q", ev.Arguments, x.args.String())
			}
		case "response.output_item.done":
			x := it()
			for ci := range x.parts {
				if !x.pdone[ci] {
					t.Fatalf("item done with content part %d open", ci)
				}
			}
			x.done = true
		case "response.completed", "response.incomplete":
			terminal = ev.Response
		default:
			t.Fatalf("unexpected event %s", ev.Type)
		}
	}
	if terminal == nil {
		t.Fatal("no terminal event")
	}
	var final struct {
		Output []json.RawMessage `json:"output"`
	}
	if err := json.Unmarshal(terminal, &final); err != nil {
		t.Fatal(err)
	}
	if len(final.Output) != len(items) {
		t.Fatalf("terminal response has %d items, %d were added", len(final.Output), len(items))
	}
	for i, x := range items {
		if !x.done {
			t.Fatalf("item %d never done", i)
		}
	}
	return terminal
}
