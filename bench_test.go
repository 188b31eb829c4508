package oaicompat

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// typicalRequest is a ~1 KB chat request as SDKs send it.
var typicalRequest = []byte(`{"model":"gpt-4o-mini","messages":[` +
	`{"role":"system","content":"You are a helpful assistant that answers questions about the weather and travel. Keep answers short and cite sources when you can."},` +
	`{"role":"user","content":"What is the weather like in Paris in spring, and what should I pack for a week of walking tours around the city?"},` +
	`{"role":"assistant","content":null,"tool_calls":[{"id":"call_abc123","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\",\"month\":\"April\"}"}}]},` +
	`{"role":"tool","tool_call_id":"call_abc123","content":"{\"avg_high_c\":16,\"avg_low_c\":7,\"rain_days\":9}"},` +
	`{"role":"user","content":[{"type":"text","text":"Also, is it usually crowded at the Louvre in April?"}]}],` +
	`"tools":[{"type":"function","function":{"name":"get_weather","description":"Get typical weather for a city and month","parameters":{"type":"object","properties":{"city":{"type":"string"},"month":{"type":"string"}},"required":["city","month"],"additionalProperties":false},"strict":true}}],` +
	`"tool_choice":"auto","temperature":0.7,"top_p":1,"max_completion_tokens":512,"stream":true,"stream_options":{"include_usage":true},"user":"user-1234"}`)

func BenchmarkDecodeValidate(b *testing.B) {
	b.SetBytes(int64(len(typicalRequest)))
	b.ReportAllocs()
	for b.Loop() {
		var req ChatRequest
		if _, err := decodeRequest(typicalRequest, &req, nil); err != nil {
			b.Fatal(err)
		}
		if err := req.validate(); err != nil {
			b.Fatal(err)
		}
	}
}

// discardFlusher is a ResponseWriter that throws bytes away and can flush.
type discardFlusher struct{ h http.Header }

func (d *discardFlusher) Header() http.Header         { return d.h }
func (d *discardFlusher) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardFlusher) WriteHeader(int)             {}
func (d *discardFlusher) Flush()                      {}

// BenchmarkStreamChunk measures one text delta through ChatWriter, the chunk
// encoder and the SSE writer (write + flush).
func BenchmarkStreamChunk(b *testing.B) {
	es := newEventStream(&discardFlusher{h: http.Header{}}, 0, 0)
	defer es.close()
	req := &ChatRequest{Model: "gpt-4o-mini", Stream: true}
	cs := newChatStream(es, "chatcmpl-0123456789abcdefghijklmn", 1700000000, req, "reasoning_content")
	w := newChatWriter(&tallied{t: &tally{}, next: cs}, req, randomID, "call_")
	_ = w.WriteText("warm-up")
	b.ReportAllocs()
	for b.Loop() {
		if err := w.WriteText(" token"); err != nil {
			b.Fatal(err)
		}
	}
}

// roundTripBody is the non-stream request of the round-trip benchmarks.
const roundTripBody = `{"model":"m","messages":[{"role":"user","content":"Say hello"}]}`

var trivial = ChatFunc(func(_ context.Context, _ *ChatRequest, w *ChatWriter) error {
	w.SetUsage(Usage{PromptTokens: 2, CompletionTokens: 2})
	return w.WriteText("Hello there!")
})

// plainHandler is what a hand-written net/http handler would do: read the
// body and write the same completion bytes.
func plainHandler(resp []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(resp)
	})
}

func sampleResponse(b *testing.B, h http.Handler) []byte {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(roundTripBody)))
	if rec.Code != 200 {
		b.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// BenchmarkRoundTrip compares a full non-stream request through NewHandler
// with a plain handler writing the same bytes, in memory and over loopback.
func BenchmarkRoundTrip(b *testing.B) {
	ours := NewHandler(trivial)
	plain := plainHandler(sampleResponse(b, ours))
	for _, tt := range []struct {
		name string
		h    http.Handler
	}{{"oaicompat", ours}, {"plain", plain}} {
		b.Run("memory/"+tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				tt.h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(roundTripBody)))
				if rec.Code != 200 {
					b.Fatal(rec.Code)
				}
			}
		})
		b.Run("loopback/"+tt.name, func(b *testing.B) {
			srv := httptest.NewServer(tt.h)
			defer srv.Close()
			client := srv.Client()
			url := srv.URL + "/v1/chat/completions"
			b.ReportAllocs()
			for b.Loop() {
				resp, err := client.Post(url, "application/json", strings.NewReader(roundTripBody))
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}

// BenchmarkEmbeddingEncode compares the two encodings of a 1536-dimension vector.
func BenchmarkEmbeddingEncode(b *testing.B) {
	vec := make([]float32, 1536)
	for i := range vec {
		vec[i] = float32(i%97)/97 - 0.5 + 1e-7*float32(i)
	}
	u := Usage{PromptTokens: 8, TotalTokens: 8}
	for _, tt := range []struct {
		name string
		b64  bool
	}{{"float", false}, {"base64", true}} {
		b.Run(tt.name, func(b *testing.B) {
			var buf []byte
			b.ReportAllocs()
			for b.Loop() {
				buf = appendEmbeddings(buf[:0], [][]float32{vec}, tt.b64, "text-embedding-3-small", &u)
			}
			b.ReportMetric(float64(len(buf)), "bytes/op-out")
		})
	}
}
