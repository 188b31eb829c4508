module github.com/oaicompat/oaicompat/conformance

go 1.26.0

require (
	github.com/anthropics/anthropic-sdk-go/v2 v2.17.0
	github.com/oaicompat/oaicompat v0.1.0
	github.com/oaicompat/oaicompat/adapters/echov4 v0.1.0
	github.com/oaicompat/oaicompat/adapters/echov5 v0.1.0
	github.com/oaicompat/oaicompat/telemetry v0.1.0
	github.com/openai/openai-go/v3 v3.96.0
	github.com/sashabaranov/go-openai v1.43.0
	go.opentelemetry.io/otel v1.47.0
	go.opentelemetry.io/otel/sdk v1.47.0
	go.opentelemetry.io/otel/sdk/metric v1.47.0
	golang.org/x/mod v0.43.0
)
