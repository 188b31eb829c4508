module github.com/oaicompat/oaicompat/examples

go 1.26.0

require (
	github.com/anthropics/anthropic-sdk-go/v2 v2.17.0
	github.com/oaicompat/oaicompat v0.1.0
	github.com/oaicompat/oaicompat/conformance v0.1.0
	github.com/openai/openai-go/v3 v3.96.0
)
