package oaicompat

import (
	"context"
	"encoding/json"
	"testing"
)

// discardSink stands for the wire sinks, so that the benchmarks time the
// guard alone.
type discardSink struct{}

func (discardSink) delta(int, Delta) error { return nil }
func (discardSink) usage(Usage)            {}

type benchReply struct {
	City        string   `json:"city"`
	Temperature float64  `json:"temperature"`
	Unit        string   `json:"unit" jsonschema:"enum=celsius,enum=fahrenheit"`
	Conditions  []string `json:"conditions"`
	Advice      *string  `json:"advice"`
}

const benchContent = `{"city":"Lisbon","temperature":21.5,"unit":"celsius","conditions":["sunny","light wind"],"advice":"Bring sunglasses."}`

// BenchmarkGuard measures what checking one response costs: a fresh guard
// per response, the answer written in 10 deltas, the checks at the end.
// "off" is the same answer with no guard.
//
//	go test -run '^$' -bench BenchmarkGuard -benchmem .
func BenchmarkGuard(b *testing.B) {
	schema := json.RawMessage(mustSchema[benchReply]())
	strict := true
	user := []Message{{Role: RoleUser, Content: TextContent("weather?")}}
	chunks := splitN(benchContent, 10)
	cases := []struct {
		name  string
		req   *ChatRequest
		write func(s sink)
	}{
		{"off", nil, writeChunks(chunks)},
		{"text", &ChatRequest{Messages: user}, writeChunks(chunks)},
		{"json_object", &ChatRequest{Messages: user, ResponseFormat: &ResponseFormat{Type: "json_object"}}, writeChunks(chunks)},
		{"json_schema strict", &ChatRequest{Messages: user, ResponseFormat: &ResponseFormat{Type: "json_schema",
			JSONSchema: &JSONSchemaFormat{Name: "weather", Schema: schema, Strict: &strict}}}, writeChunks(chunks)},
		{"strict tool call", &ChatRequest{Messages: user, Tools: []Tool{{Type: "function",
			Function: &FunctionDefinition{Name: "report", Parameters: schema, Strict: &strict}}}}, func(s sink) {
			_ = s.delta(0, Delta{ToolCall: &ToolCallDelta{ID: "call_1", Name: "report"}})
			for _, c := range chunks {
				_ = s.delta(0, Delta{ToolCall: &ToolCallDelta{Arguments: c}})
			}
			_ = s.delta(0, Delta{FinishReason: FinishToolCalls})
		}},
	}
	for _, c := range cases {
		for _, hold := range []bool{false, true} {
			if c.req == nil && hold {
				continue
			}
			name := c.name
			if hold {
				name += " buffered"
			}
			b.Run(name, func(b *testing.B) {
				if c.req != nil {
					c.req.Model = "m"
					if err := c.req.validate(); err != nil { // compiles and caches the schemas, as the handler does
						b.Fatal(err)
					}
				}
				b.ReportAllocs()
				for b.Loop() {
					var s sink = discardSink{}
					if c.req != nil {
						g := &guard{rules: newOutputRules(c.req), hold: hold, ctx: context.Background(), req: c.req, choices: make([]guardChoice, 1)}
						s = g.wrap(s)
						c.write(s)
						if g.result(nil) != nil {
							b.Fatal(g.result(nil))
						}
						continue
					}
					c.write(s)
				}
			})
		}
	}
}

func writeChunks(chunks []string) func(sink) {
	return func(s sink) {
		for _, c := range chunks {
			_ = s.delta(0, Delta{Content: c})
		}
		_ = s.delta(0, Delta{FinishReason: FinishStop})
	}
}

func splitN(s string, n int) []string {
	var out []string
	size := (len(s) + n - 1) / n
	for len(s) > size {
		out = append(out, s[:size])
		s = s[size:]
	}
	return append(out, s)
}

// BenchmarkCompileSchema is what a schema costs the first time it is seen,
// and every time after (a cache hit).
func BenchmarkCompileSchema(b *testing.B) {
	raw := []byte(mustSchema[benchReply]())
	b.Run("cold", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			compileUncached(raw)
		}
	})
	b.Run("cached", func(b *testing.B) {
		compileSchema(raw, nil)
		b.ReportAllocs()
		for b.Loop() {
			compileSchema(raw, nil)
		}
	})
}
