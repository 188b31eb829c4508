package oaicompat_test

import (
	"net/http/httptest"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	goopenai "github.com/sashabaranov/go-openai"
)

// officialClient is the openai-go client pointed at srv, without retries so
// that errors surface at once.
func officialClient(srv *httptest.Server, opts ...option.RequestOption) openai.Client {
	return openai.NewClient(append([]option.RequestOption{
		option.WithBaseURL(srv.URL + "/v1"), option.WithAPIKey("test-key"), option.WithMaxRetries(0),
	}, opts...)...)
}

// communityClient is the go-openai client pointed at srv.
func communityClient(srv *httptest.Server) *goopenai.Client {
	cfg := goopenai.DefaultConfig("test-key")
	cfg.BaseURL = srv.URL + "/v1"
	return goopenai.NewClientWithConfig(cfg)
}

func userMsg(text string) []openai.ChatCompletionMessageParamUnion {
	return []openai.ChatCompletionMessageParamUnion{openai.UserMessage(text)}
}
