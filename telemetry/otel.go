// Package telemetry traces and meters an oaicompat server with
// OpenTelemetry, following the GenAI semantic conventions: [OTel] is a
// middleware for the handler, beside those of package
// github.com/oaicompat/oaicompat/middleware. It is a module of its own
// (github.com/oaicompat/oaicompat/telemetry), so that a program without
// OpenTelemetry never downloads or compiles it.
package telemetry

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/semconv/v1.40.0/genaiconv"
	"go.opentelemetry.io/otel/trace"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
)

// An Option configures [OTel].
type Option func(*otelConfig)

type otelConfig struct {
	tracers    trace.TracerProvider
	meters     metric.MeterProvider
	propagator propagation.TextMapPropagator
	provider   string
}

// WithTracerProvider sets where spans go. Default otel.GetTracerProvider().
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *otelConfig) { c.tracers = tp }
}

// WithMeterProvider sets where metrics go. Default otel.GetMeterProvider().
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *otelConfig) { c.meters = mp }
}

// WithPropagator sets how an incoming trace context (traceparent) is read.
// Default otel.GetTextMapPropagator().
func WithPropagator(p propagation.TextMapPropagator) Option {
	return func(c *otelConfig) { c.propagator = p }
}

// WithProviderName sets gen_ai.provider.name, the GenAI provider the
// telemetry describes. Default "openai", the API this server speaks; name
// the system behind it instead (for example "ollama") if you prefer.
func WithProviderName(name string) Option {
	return func(c *otelConfig) { c.provider = name }
}

// instrumentation is the OpenTelemetry instrumentation scope of this package.
const instrumentation = "github.com/oaicompat/oaicompat/telemetry"

// OTel traces and meters requests with OpenTelemetry, following the GenAI
// semantic conventions (semconv v1.40.0) for the OpenAI operations.
//
// Each request gets a server span, continuing the caller's trace when the
// request carries one. For a chat, embeddings or image request it is named
// "{gen_ai.operation.name} {gen_ai.request.model}" (for example
// "chat gpt-4o") and carries gen_ai.operation.name ("chat", "embeddings",
// "generate_content"), gen_ai.provider.name, gen_ai.request.model,
// gen_ai.usage.input_tokens, gen_ai.usage.output_tokens and
// gen_ai.response.finish_reasons; every span carries http.request.method,
// url.path and http.response.status_code, and error.type (the OpenAI error
// code, else its type) when an error was answered. Server errors (5xx, or
// an error sent in-band after a stream began) set the span status to Error.
//
// Metrics, for the GenAI operations: gen_ai.server.request.duration (s;
// its count is the request count), gen_ai.server.time_to_first_token (s,
// streams only) and oaicompat.server.token.usage ({token}, with
// gen_ai.token.type "input" or "output"; the conventions define token usage
// for clients only), each with the operation, provider and model, and
// error.type on failures.
func OTel(opts ...Option) func(http.Handler) http.Handler {
	cfg := otelConfig{provider: string(genaiconv.ProviderNameOpenAI)}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.tracers == nil {
		cfg.tracers = otel.GetTracerProvider()
	}
	if cfg.meters == nil {
		cfg.meters = otel.GetMeterProvider()
	}
	if cfg.propagator == nil {
		cfg.propagator = otel.GetTextMapPropagator()
	}
	t := newRecorder(cfg)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.serve(w, r, next) })
	}
}

type recorder struct {
	cfg      otelConfig
	tracer   trace.Tracer
	duration genaiconv.ServerRequestDuration
	ttft     genaiconv.ServerTimeToFirstToken
	tokens   metric.Int64Histogram
}

func newRecorder(cfg otelConfig) *recorder {
	meter := cfg.meters.Meter(instrumentation)
	t := &recorder{cfg: cfg, tracer: cfg.tracers.Tracer(instrumentation)}
	// Instrument errors only come from invalid names or options, which are
	// fixed here; the constructors then return working no-op instruments.
	t.duration, _ = genaiconv.NewServerRequestDuration(meter, metric.WithExplicitBucketBoundaries(
		0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92))
	t.ttft, _ = genaiconv.NewServerTimeToFirstToken(meter, metric.WithExplicitBucketBoundaries(
		0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0))
	t.tokens, _ = meter.Int64Histogram("oaicompat.server.token.usage",
		metric.WithDescription("Number of input and output tokens used."), metric.WithUnit("{token}"),
		metric.WithExplicitBucketBoundaries(1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144,
			1048576, 4194304, 16777216, 67108864))
	return t
}

// operations maps oaicompat.CallInfo endpoints to gen_ai.operation.name.
var operations = map[string]genaiconv.OperationNameAttr{
	"chat.completions":   genaiconv.OperationNameChat,
	"responses":          genaiconv.OperationNameChat,
	"completions":        genaiconv.OperationNameTextCompletion,
	"embeddings":         genaiconv.OperationNameEmbeddings,
	"images.generations": genaiconv.OperationNameGenerateContent,
}

func (t *recorder) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	start := time.Now()
	ctx := t.cfg.propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	ctx, span := t.tracer.Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(semconv.HTTPRequestMethodKey.String(r.Method), semconv.URLPathKey.String(r.URL.Path)))
	defer span.End()
	ctx, ci := oaicompat.NewCallInfoContext(ctx)
	status := middleware.ServeStatus(next, w, r.WithContext(ctx))
	elapsed := time.Since(start)

	span.SetAttributes(semconv.HTTPResponseStatusCodeKey.Int(status))
	errType := ""
	switch {
	case ci.Err != nil && ci.Err.Code != "":
		errType = ci.Err.Code
	case ci.Err != nil:
		errType = ci.Err.Type
	case status >= 500:
		errType = strconv.Itoa(status)
	}
	if errType != "" {
		span.SetAttributes(semconv.ErrorTypeKey.String(errType))
	}
	if status >= 500 || (ci.Err != nil && (ci.Err.Status >= 500 || status < 400)) {
		span.SetStatus(codes.Error, errType)
	}

	op, ok := operations[ci.Endpoint]
	if !ok {
		if ci.Endpoint != "" {
			span.SetName(r.Method + " " + ci.Endpoint)
		}
		return
	}
	span.SetName(string(op) + " " + ci.Model)
	span.SetAttributes(
		semconv.GenAIOperationNameKey.String(string(op)),
		semconv.GenAIProviderNameKey.String(t.cfg.provider),
		semconv.GenAIRequestModelKey.String(ci.Model),
		semconv.GenAIUsageInputTokensKey.Int(ci.Usage.PromptTokens),
		semconv.GenAIUsageOutputTokensKey.Int(ci.Usage.CompletionTokens))
	if len(ci.FinishReasons) > 0 {
		span.SetAttributes(semconv.GenAIResponseFinishReasonsKey.StringSlice(ci.FinishReasons))
	}

	attrs := make([]attribute.KeyValue, 1, 2)
	attrs[0] = semconv.GenAIRequestModelKey.String(ci.Model)
	if errType != "" {
		attrs = append(attrs, semconv.ErrorTypeKey.String(errType))
	}
	provider := genaiconv.ProviderNameAttr(t.cfg.provider)
	t.duration.Record(ctx, elapsed.Seconds(), op, provider, attrs...)
	if ci.Stream && !ci.FirstOutput.IsZero() {
		if d := ci.FirstOutput.Sub(start); d >= 0 {
			t.ttft.Record(ctx, d.Seconds(), op, provider, attrs...)
		}
	}
	if !ci.UsageEstimated && (ci.Err == nil || ci.Usage.TotalTokens > 0) && t.tokens.Enabled(ctx) {
		t.recordTokens(ctx, ci.Usage.PromptTokens, semconv.GenAITokenTypeInput, op, attrs)
		t.recordTokens(ctx, ci.Usage.CompletionTokens, semconv.GenAITokenTypeOutput, op, attrs)
	}
}

func (t *recorder) recordTokens(ctx context.Context, n int, typ attribute.KeyValue, op genaiconv.OperationNameAttr, attrs []attribute.KeyValue) {
	all := make([]attribute.KeyValue, 0, len(attrs)+3)
	all = append(all, attrs...)
	all = append(all, typ, semconv.GenAIOperationNameKey.String(string(op)), semconv.GenAIProviderNameKey.String(t.cfg.provider))
	t.tokens.Record(ctx, int64(n), metric.WithAttributes(all...))
}
