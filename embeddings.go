package oaicompat

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"

	"github.com/oaicompat/oaicompat/internal/jsonx"
)

// embeddingsDialect is POST /v1/embeddings, answered by an [Embedder]. It
// returns float32 vectors; they are written as JSON numbers, or for
// encoding_format "base64" as the base64 of their little-endian float32
// bytes, which is what the OpenAI SDKs decode (and what the Python and Node
// SDKs ask for by default).
type embeddingsDialect struct {
	req EmbeddingRequest
	x   *exchange
	res *EmbeddingResult
}

func (d *embeddingsDialect) endpoint() string                           { return "embeddings" }
func (d *embeddingsDialect) target() any                                { return &d.req }
func (d *embeddingsDialect) writeError(w http.ResponseWriter, e *Error) { WriteError(w, e) }
func (d *embeddingsDialect) supportedBy(b Backend) bool {
	_, ok := b.(Embedder)
	return ok
}

func (d *embeddingsDialect) prepare(raw []byte, extra map[string]json.RawMessage, model string) (requestInfo, error) {
	r := &d.req
	r.Raw, r.Extra = raw, extra
	if model != "" {
		r.Model = model
	}
	return requestInfo{model: r.Model}, r.validate()
}

// The dialect is its own answer: one call, one JSON object, never a stream.
func (d *embeddingsDialect) answer(x *exchange) (answer, error) { d.x = x; return d, nil }
func (d *embeddingsDialect) fail(*Error) error                  { return nil }

func (d *embeddingsDialect) run(ctx context.Context) error {
	res, err := d.x.h.backend.(Embedder).Embed(ctx, &d.req)
	if err == nil && (res == nil || len(res.Vectors) != d.req.Input.Len()) {
		got := 0
		if res != nil {
			got = len(res.Vectors)
		}
		err = fmt.Errorf("oaicompat: embedder returned %d vectors for %d inputs", got, d.req.Input.Len())
	}
	if err != nil {
		return err
	}
	d.res = res
	d.x.t.report(res.Usage)
	return nil
}

func (d *embeddingsDialect) end() error {
	res := d.res
	model := res.Model
	if model == "" {
		model = d.req.Model
	}
	u := res.Usage
	u.total()
	buf := getBuffer()
	defer putBuffer(buf)
	buf.B = appendEmbeddings(buf.B, res.Vectors, d.req.EncodingFormat == "base64", model, &u)
	d.x.w.Header()["Content-Type"] = headerJSON
	_, err := d.x.w.Write(buf.B)
	return err
}

// appendEmbeddings appends the CreateEmbeddingResponse object.
func appendEmbeddings(b []byte, vecs [][]float32, b64 bool, model string, u *Usage) []byte {
	b = append(b, `{"object":"list","data":[`...)
	var raw []byte
	for i, v := range vecs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"object":"embedding","index":`...)
		b = jsonx.AppendInt(b, int64(i))
		b = append(b, `,"embedding":`...)
		if b64 {
			if cap(raw) < 4*len(v) {
				raw = make([]byte, 0, 4*len(v))
			}
			raw = raw[:0]
			for _, f := range v {
				raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(f))
			}
			b = slices.Grow(b, base64.StdEncoding.EncodedLen(len(raw))+2)
			b = append(b, '"')
			b = base64.StdEncoding.AppendEncode(b, raw)
			b = append(b, '"')
		} else {
			b = append(b, '[')
			for j, f := range v {
				if j > 0 {
					b = append(b, ',')
				}
				b = jsonx.AppendFloat(b, float64(f), 32)
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	b = append(b, `],"model":`...)
	b = jsonx.AppendString(b, model)
	b = append(b, `,"usage":{"prompt_tokens":`...)
	b = jsonx.AppendInt(b, int64(u.PromptTokens))
	b = append(b, `,"total_tokens":`...)
	b = jsonx.AppendInt(b, int64(u.TotalTokens))
	return append(b, "}}"...)
}
