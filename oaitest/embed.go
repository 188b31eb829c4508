package oaitest

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/oaicompat/oaicompat"
)

// defaultDimensions is text-embedding-3-small's size.
const defaultDimensions = 1536

// Embed returns the mock's embedding of text: dims values from a generator
// seeded by a hash of text, L2-normalised. Equal texts get equal vectors,
// so similarity tests are reproducible.
func Embed(text string, dims int) []float32 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(text))
	rng := rand.New(rand.NewPCG(h.Sum64(), uint64(dims)))
	v := make([]float32, dims)
	var norm float64
	for i := range v {
		x := rng.NormFloat64()
		v[i] = float32(x)
		norm += x * x
	}
	norm = math.Sqrt(norm)
	for i := range v {
		v[i] = float32(float64(v[i]) / norm)
	}
	return v
}

// embedAll embeds each input of req, honouring dimensions.
func embedAll(req *oaicompat.EmbeddingRequest) [][]float32 {
	dims := defaultDimensions
	if req.Dimensions != nil && *req.Dimensions > 0 {
		dims = *req.Dimensions
	}
	out := make([][]float32, 0, req.Input.Len())
	for _, s := range req.Input.Strings {
		out = append(out, Embed(s, dims))
	}
	for _, toks := range req.Input.Tokens {
		b := make([]byte, 0, 4*len(toks))
		for _, t := range toks {
			b = strconv.AppendInt(append(b, ' '), int64(t), 10)
		}
		out = append(out, Embed(string(b), dims))
	}
	return out
}

// onePixelPNG is a valid 1x1 transparent PNG, the default image.
var onePixelPNG = []byte{
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
	0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
	0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
	0x42, 0x60, 0x82,
}
