package relay

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"
)

// chunkedReader returns data in reads whose sizes follow sizes (cycled),
// to split events at arbitrary byte boundaries.
type chunkedReader struct {
	data  []byte
	sizes []byte
	i     int
}

func (r *chunkedReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := 1
	if len(r.sizes) > 0 {
		n = int(r.sizes[r.i%len(r.sizes)])%64 + 1
		r.i++
	}
	n = min(n, len(p), len(r.data))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

// FuzzStreamTranslation feeds an arbitrary upstream stream, split into
// arbitrary reads, through the SSE reader and the chunk translator. Whatever
// the upstream sends, the relay must not panic, must hand the writer only
// deltas a ChatWriter accepts (the record sink checks the same rules), and
// must report a malformed or cut stream as an error rather than a clean
// end.
func FuzzStreamTranslation(f *testing.F) {
	f.Add([]byte("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"), []byte{3, 7})
	f.Add([]byte("data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"a\",\"function\":{\"name\":\"f\",\"arguments\":\"{\"}}]}}]}\r\n\r\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"}\"}}]},\"finish_reason\":\"tool_calls\"}]}\r\n\r\n"), []byte{1})
	f.Add([]byte(": ping\n\nevent: x\ndata: {\"choices\":[{\"index\":1,\"delta\":{\"content\":\"b\"}}],\"usage\":{\"prompt_tokens\":1}}\n\ndata: {\"error\":{\"message\":\"m\"}}\n\n"), []byte{64})
	f.Add([]byte("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":\"stop\"}]}\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"y\"}}]}\n\n"), []byte{})
	f.Fuzz(func(t *testing.T, stream, sizes []byte) {
		sink := newRecordSink(2)
		tr := newTranslator(sink, 2)
		sr := newSSEReader(&chunkedReader{data: stream, sizes: sizes}, 1<<16)
		var err error
		for err == nil {
			var data []byte
			if data, err = sr.next(); err == nil {
				err = tr.event(data)
			}
		}
		var se *sinkError
		if errors.As(err, &se) {
			t.Fatalf("the translator handed the writer a delta it refuses: %v", se.err)
		}
		if err == io.EOF {
			err = tr.end()
		}
		if err == nil && !tr.done && tr.finished != 2 {
			t.Fatalf("a stream without [DONE] and with open choices ended cleanly")
		}
	})
}

// FuzzSetMembers: for any JSON object, the rewritten body is valid JSON
// and decodes to the original with model replaced, stream_options removed,
// and every other member unchanged.
func FuzzSetMembers(f *testing.F) {
	for _, s := range []string{
		`{"model":"a","messages":[{"role":"user","content":"hi"}],"top_k":5}`,
		`{"stream_options":{"include_usage":true},"x":null}`,
		` { "mod\u0065l" : "a" , "s" : "}\"{" } `,
		`{}`,
		`{"a":{"model":"nested"},"model":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in map[string]json.RawMessage
		if json.Unmarshal(body, &in) != nil || in == nil {
			return
		}
		out, err := setMembers(body, []string{"model", "stream_options"}, map[string][]byte{"model": []byte(`"up"`), "stream_options": nil})
		if err != nil {
			t.Fatalf("valid object %q: %v", body, err)
		}
		var got map[string]json.RawMessage
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%q became invalid: %q", body, out)
		}
		want := map[string]json.RawMessage{}
		for k, v := range in {
			want[k] = compact(v)
		}
		want["model"] = json.RawMessage(`"up"`)
		delete(want, "stream_options")
		for k, v := range got {
			got[k] = compact(v)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q became %q", body, out)
		}
	})
}

func compact(v json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return v
	}
	return b.Bytes()
}
