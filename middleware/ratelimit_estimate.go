package middleware

import (
	"bytes"
	"errors"
	"net/http"
	"sync"

	gojson "github.com/goccy/go-json"

	"github.com/oaicompat/oaicompat"
)

// forModel returns " for MODEL" when the request body names a model.
func forModel(body []byte) string {
	var hint struct {
		Model string `json:"model"`
	}
	if len(body) == 0 || gojson.Unmarshal(body, &hint) != nil || hint.Model == "" {
		return ""
	}
	return " for " + hint.Model
}

// EstimateTokens is RateLimit's default estimate of the tokens a request
// will use, OpenAI's rule for rate limiting: about one token per four bytes
// of the request, plus the most it may generate (max_completion_tokens,
// max_tokens or max_output_tokens, times n). A request that does not bound
// its output is charged for its input only until its usage is known.
func EstimateTokens(body []byte) int64 {
	est := int64(len(body)+3) / 4
	var hint struct {
		MaxTokens           int64 `json:"max_tokens"`
		MaxCompletionTokens int64 `json:"max_completion_tokens"`
		MaxOutputTokens     int64 `json:"max_output_tokens"`
		N                   int64 `json:"n"`
	}
	if len(body) == 0 || gojson.Unmarshal(body, &hint) != nil {
		return est
	}
	out := max(hint.MaxCompletionTokens, hint.MaxTokens, hint.MaxOutputTokens, 0)
	return est + out*max(hint.N, 1)
}

// bodyReader hands a buffered request body on to the handler.
type bodyReader struct{ bytes.Reader }

func (*bodyReader) Close() error { return nil }

var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// bufferBody reads r's body (up to maxEstimateBody) into a pooled buffer.
func bufferBody(w http.ResponseWriter, r *http.Request) (*bytes.Buffer, error) {
	buf := bodyBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	if r.Body != nil && r.Body != http.NoBody {
		if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, maxEstimateBody)); err != nil {
			putBodyBuffer(buf)
			if mb := (*http.MaxBytesError)(nil); errors.As(err, &mb) {
				return nil, err
			}
			return nil, oaicompat.InvalidRequest("", "Could not read the request body: %v", err)
		}
	}
	return buf, nil
}

func putBodyBuffer(b *bytes.Buffer) {
	if b.Cap() <= 1<<20 {
		bodyBuffers.Put(b)
	}
}
