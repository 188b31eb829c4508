package relay

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"

	"github.com/oaicompat/oaicompat"
)

// Embed implements [oaicompat.Embedder]: the client's body goes upstream
// with only the model rewritten (encoding_format included, so an upstream
// that cannot do base64 answers as it would to the client), and the
// vectors come back as floats whichever form the upstream used; the
// handler encodes them as the client asked.
func (r *Relay) Embed(ctx context.Context, req *oaicompat.EmbeddingRequest) (*oaicompat.EmbeddingResult, error) {
	raw, err := requestBody(req.Raw, req)
	if err != nil {
		return nil, err
	}
	var res *oaicompat.EmbeddingResult
	err = r.forward(ctx, req.Model, "/embeddings", raw, nil, func(b []byte) error {
		v, err := decodeEmbeddings(b, req.Input.Len())
		res = v
		return err
	})
	return res, err
}

// decodeEmbeddings decodes an embeddings response with n vectors, each a
// float array or the base64 of little-endian float32s.
func decodeEmbeddings(b []byte, n int) (*oaicompat.EmbeddingResult, error) {
	var body struct {
		Data []struct {
			Index     int             `json:"index"`
			Embedding json.RawMessage `json:"embedding"`
		} `json:"data"`
		Usage oaicompat.Usage `json:"usage"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		return nil, err
	}
	if len(body.Data) != n {
		return nil, fmt.Errorf("%d embeddings for %d inputs", len(body.Data), n)
	}
	vs := make([][]float32, n)
	for _, d := range body.Data {
		if d.Index < 0 || d.Index >= n || vs[d.Index] != nil {
			return nil, fmt.Errorf("embedding index %d out of place", d.Index)
		}
		v, err := decodeVector(d.Embedding)
		if err != nil {
			return nil, err
		}
		vs[d.Index] = v
	}
	return &oaicompat.EmbeddingResult{Vectors: vs, Usage: body.Usage}, nil
}

func decodeVector(raw json.RawMessage) ([]float32, error) {
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b)%4 != 0 {
			return nil, fmt.Errorf("base64 embedding of %d bytes: %v", len(b), err)
		}
		v := make([]float32, len(b)/4)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		return v, nil
	}
	v := []float32{}
	return v, json.Unmarshal(raw, &v)
}
