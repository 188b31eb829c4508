package oaitest

import (
	"bytes"
	"hash/fnv"
	"image"
	"image/png"
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

// onePixelPNG is a 1x1 transparent PNG, the default image.
var onePixelPNG = func() []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, 1, 1))); err != nil {
		panic(err)
	}
	return buf.Bytes()
}()
