package middleware_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
	"github.com/oaicompat/oaicompat/telemetry"
)

// otelBackend answers chat with usage and finish reason "length" for the
// prompt "long", fails before output for "fail", and mid-stream for
// "break"; it also embeds.
var otelBackend = oaicompat.Funcs{
	ChatFunc: func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		switch req.LastUserMessage() {
		case "fail":
			return oaicompat.ServerError("backend down")
		case "break":
			_ = w.WriteText("partial")
			return oaicompat.ServerError("backend broke")
		}
		w.SetUsage(usage)
		if err := w.WriteText("Hello!"); err != nil {
			return err
		}
		if req.LastUserMessage() == "long" {
			return w.Finish(oaicompat.FinishLength)
		}
		return nil
	},
	EmbedFunc: func(ctx context.Context, req *oaicompat.EmbeddingRequest) (*oaicompat.EmbeddingResult, error) {
		return &oaicompat.EmbeddingResult{Vectors: [][]float32{{0.5, 0.25}}, Usage: oaicompat.Usage{PromptTokens: 7}}, nil
	},
}

func TestOTel(t *testing.T) {
	t.Parallel()
	type call func(ctx context.Context, c *openai.Client) error
	chat := func(prompt string, stream bool) call {
		return func(ctx context.Context, c *openai.Client) error {
			if !stream {
				_, err := c.Chat.Completions.New(ctx, chatParams(prompt))
				return err
			}
			s := c.Chat.Completions.NewStreaming(ctx, chatParams(prompt))
			for s.Next() {
			}
			return s.Err()
		}
	}
	tests := []struct {
		name       string
		key        string
		call       call
		wantName   string
		wantAttrs  map[attribute.Key]any // exact values; nil value = must be absent
		wantStatus codes.Code
		wantTTFT   bool
		wantTokens [2]int64 // input, output token sums; -1 for no token metric
	}{
		{
			name: "chat", key: aliceKey, call: chat("hi", false), wantName: "chat gpt-test",
			wantAttrs: map[attribute.Key]any{
				"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-test",
				"gen_ai.usage.input_tokens": int64(12), "gen_ai.usage.output_tokens": int64(3),
				"gen_ai.response.finish_reasons": []string{"stop"}, "http.request.method": "POST",
				"url.path": "/v1/chat/completions", "http.response.status_code": int64(200), "error.type": nil,
			},
			wantStatus: codes.Unset, wantTokens: [2]int64{12, 3},
		},
		{
			name: "chat stream", key: aliceKey, call: chat("long", true), wantName: "chat gpt-test",
			wantAttrs: map[attribute.Key]any{
				"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": int64(12), "gen_ai.usage.output_tokens": int64(3),
				"gen_ai.response.finish_reasons": []string{"length"}, "http.response.status_code": int64(200),
			},
			wantStatus: codes.Unset, wantTTFT: true, wantTokens: [2]int64{12, 3},
		},
		{
			name: "embeddings", key: aliceKey, wantName: "embeddings text-embedding-test",
			call: func(ctx context.Context, c *openai.Client) error {
				_, err := c.Embeddings.New(ctx, openai.EmbeddingNewParams{
					Model: "text-embedding-test", Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("hi")},
				})
				return err
			},
			wantAttrs: map[attribute.Key]any{
				"gen_ai.operation.name": "embeddings", "gen_ai.request.model": "text-embedding-test",
				"gen_ai.usage.input_tokens": int64(7), "gen_ai.usage.output_tokens": int64(0), "gen_ai.response.finish_reasons": nil,
			},
			wantStatus: codes.Unset, wantTokens: [2]int64{7, 0},
		},
		{
			name: "backend error before output", key: aliceKey, call: chat("fail", false), wantName: "chat gpt-test",
			wantAttrs:  map[attribute.Key]any{"http.response.status_code": int64(500), "error.type": "server_error"},
			wantStatus: codes.Error, wantTokens: [2]int64{-1, -1},
		},
		{
			name: "error in-band", key: aliceKey, call: chat("break", true), wantName: "chat gpt-test",
			wantAttrs:  map[attribute.Key]any{"http.response.status_code": int64(200), "error.type": "server_error"},
			wantStatus: codes.Error, wantTTFT: true, wantTokens: [2]int64{-1, -1},
		},
		{
			name: "unauthenticated: a client error, not a span error", key: "sk-nope", call: chat("hi", false), wantName: "POST",
			wantAttrs: map[attribute.Key]any{
				"http.response.status_code": int64(401), "error.type": nil, "gen_ai.operation.name": nil,
			},
			wantStatus: codes.Unset, wantTokens: [2]int64{-1, -1},
		},
		{
			name: "models list: no GenAI attributes", key: aliceKey, wantName: "GET models.list",
			call: func(ctx context.Context, c *openai.Client) error {
				_, err := c.Models.List(ctx)
				return err
			},
			wantAttrs:  map[attribute.Key]any{"http.response.status_code": int64(200), "gen_ai.operation.name": nil, "gen_ai.request.model": nil},
			wantStatus: codes.Unset, wantTokens: [2]int64{-1, -1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			spans := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
			reader := sdkmetric.NewManualReader()
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
			chain := middleware.Chain(
				telemetry.OTel(telemetry.WithTracerProvider(tp), telemetry.WithMeterProvider(mp), telemetry.WithPropagator(propagation.TraceContext{})),
				middleware.Auth(middleware.StaticKeys(testKeys)),
			)
			srv := serve(t, chain(oaicompat.NewHandler(otelBackend)))

			// the caller's trace continues on the server
			parent := trace.NewSpanContext(trace.SpanContextConfig{
				TraceID: trace.TraceID{1, 2, 3}, SpanID: trace.SpanID{4, 5, 6}, TraceFlags: trace.FlagsSampled, Remote: true,
			})
			traceparent := fmt.Sprintf("00-%s-%s-01", parent.TraceID(), parent.SpanID())
			_ = tt.call(testContext(t), client(srv, tt.key, option.WithHeader("traceparent", traceparent)))
			finish(srv)

			ended := spans.Ended()
			if len(ended) != 1 {
				t.Fatalf("%d spans ended, want 1", len(ended))
			}
			span := ended[0]
			if span.Name() != tt.wantName || span.SpanKind() != trace.SpanKindServer || span.Status().Code != tt.wantStatus {
				t.Fatalf("span %q kind %v status %v; want %q server %v", span.Name(), span.SpanKind(), span.Status(), tt.wantName, tt.wantStatus)
			}
			if span.Parent().TraceID() != parent.TraceID() || span.Parent().SpanID() != parent.SpanID() {
				t.Fatalf("span parent %v, want the caller's %v", span.Parent(), parent)
			}
			attrs := map[attribute.Key]attribute.Value{}
			for _, kv := range span.Attributes() {
				attrs[kv.Key] = kv.Value
			}
			for k, want := range tt.wantAttrs {
				got, ok := attrs[k]
				if want == nil {
					if ok {
						t.Errorf("%s = %v, want absent", k, got.String())
					}
					continue
				}
				if !ok || fmt.Sprint(got.AsInterface()) != fmt.Sprint(want) {
					t.Errorf("%s = %v, want %v", k, got.AsInterface(), want)
				}
			}

			var rm metricdata.ResourceMetrics
			if err := reader.Collect(context.Background(), &rm); err != nil {
				t.Fatal(err)
			}
			got := collectMetrics(rm)
			isGenAI := tt.wantAttrs["gen_ai.operation.name"] != nil || tt.name == "backend error before output" || tt.name == "error in-band"
			if (got.durations == 1) != isGenAI {
				t.Errorf("%d request durations recorded, GenAI operation = %v", got.durations, isGenAI)
			}
			if (got.ttfts == 1) != tt.wantTTFT {
				t.Errorf("%d times to first token recorded, want one = %v", got.ttfts, tt.wantTTFT)
			}
			if want := tt.wantTokens; want[0] >= 0 {
				if got.tokens["input"] != want[0] || got.tokens["output"] != want[1] {
					t.Errorf("token usage %v, want input %d output %d", got.tokens, want[0], want[1])
				}
			} else if len(got.tokens) != 0 {
				t.Errorf("token usage %v recorded for a failed call", got.tokens)
			}
			if isGenAI && !slices.Contains(got.models, "gpt-test") && !slices.Contains(got.models, "text-embedding-test") {
				t.Errorf("metrics lack gen_ai.request.model: %v", got.models)
			}
		})
	}
}

// collected is what TestOTel checks in the metrics.
type collected struct {
	durations, ttfts uint64
	tokens           map[string]int64 // gen_ai.token.type -> sum
	models           []string
}

func collectMetrics(rm metricdata.ResourceMetrics) collected {
	c := collected{tokens: map[string]int64{}}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != "github.com/oaicompat/oaicompat/telemetry" {
			continue
		}
		for _, m := range sm.Metrics {
			switch data := m.Data.(type) {
			case metricdata.Histogram[float64]:
				for _, dp := range data.DataPoints {
					switch m.Name {
					case "gen_ai.server.request.duration":
						c.durations += dp.Count
					case "gen_ai.server.time_to_first_token":
						c.ttfts += dp.Count
					}
					if v, ok := dp.Attributes.Value("gen_ai.request.model"); ok {
						c.models = append(c.models, v.AsString())
					}
				}
			case metricdata.Histogram[int64]:
				if m.Name != "oaicompat.server.token.usage" || m.Unit != "{token}" {
					continue
				}
				for _, dp := range data.DataPoints {
					typ, _ := dp.Attributes.Value("gen_ai.token.type")
					c.tokens[typ.AsString()] += dp.Sum
				}
			}
		}
	}
	return c
}

// TestOTelGlobalDefaults: without options the global providers are used
// (no-ops here), and requests still pass.
func TestOTelGlobalDefaults(t *testing.T) {
	t.Parallel()
	srv := serve(t, telemetry.OTel()(oaicompat.NewHandler(hello)))
	var resp *http.Response
	if _, err := client(srv, aliceKey).Chat.Completions.New(testContext(t), chatParams("hi"), option.WithResponseInto(&resp)); err != nil || resp.StatusCode != 200 {
		t.Fatal(err)
	}
}
