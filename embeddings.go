package oaicompat

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"net/http"
	"slices"
)

// serveEmbeddings is POST /v1/embeddings. The Embedder returns float32
// vectors; they are written as JSON numbers, or for encoding_format
// "base64" as the base64 of their little-endian float32 bytes, which is what
// the OpenAI SDKs decode (and what the Python and Node SDKs ask for by default).
func (h *Handler) serveEmbeddings(w http.ResponseWriter, r *http.Request) {
	emb, ok := h.backend.(Embedder)
	if !ok {
		h.fail(w, r, Unsupported(r.Method, r.URL.Path))
		return
	}
	var req EmbeddingRequest
	if err := h.decode(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	ci := CallInfoFromContext(r.Context())
	if ci != nil {
		ci.Endpoint, ci.Model = "embeddings", req.Model
	}
	var res *EmbeddingResult
	err := call(func() (err error) { res, err = emb.Embed(r.Context(), &req); return err })
	if err == nil && (res == nil || len(res.Vectors) != req.Input.Len()) {
		got := 0
		if res != nil {
			got = len(res.Vectors)
		}
		err = fmt.Errorf("oaicompat: embedder returned %d vectors for %d inputs", got, req.Input.Len())
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	model := res.Model
	if model == "" {
		model = req.Model
	}
	u := res.Usage
	u.total()
	if ci != nil {
		ci.Usage = u
	}
	buf := getBuffer()
	buf.B = appendEmbeddings(buf.B, res.Vectors, req.EncodingFormat == "base64", model, &u)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(buf.B)
	putBuffer(buf)
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
		b = appendInt(b, int64(i))
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
				b = appendFloat(b, float64(f), 32)
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	b = append(b, `],"model":`...)
	b = appendString(b, model)
	b = append(b, `,"usage":{"prompt_tokens":`...)
	b = appendInt(b, int64(u.PromptTokens))
	b = append(b, `,"total_tokens":`...)
	b = appendInt(b, int64(u.TotalTokens))
	return append(b, "}}"...)
}
