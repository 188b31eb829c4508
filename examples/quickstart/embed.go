package main

import (
	"hash/fnv"
	"math"

	"github.com/oaicompat/oaicompat/internal/schemagen"
)

// embed returns a deterministic unit vector of dims dimensions for text in
// which similar texts are close: each word, and each character trigram of
// each word ("#he", "hel", ..., "lo#"), is hashed to a dimension and a
// sign. Texts that share words score high cosines, texts that share
// spellings ("embedding", "embeddings") fairly high, unrelated ones near
// zero. It knows no synonyms: "cat" and "kitten" are unrelated.
func embed(text string, dims int) []float32 {
	v := make([]float32, dims)
	add := func(feature string, weight float32) {
		h := fnv.New64a()
		h.Write([]byte(feature))
		x := h.Sum64()
		if x>>63 == 1 {
			weight = -weight
		}
		v[x%uint64(dims)] += weight
	}
	words := schemagen.Words(text)
	if len(words) == 0 {
		add("", 1) // one fixed direction for texts without words
	}
	for _, w := range words {
		add("w:"+w, 1)
		r := []rune("#" + w + "#")
		for i := 0; i+3 <= len(r); i++ {
			add("t:"+string(r[i:i+3]), 0.5)
		}
	}
	var norm float64
	for _, f := range v {
		norm += float64(f) * float64(f)
	}
	if norm == 0 { // features that cancelled out in few dimensions
		v[0] = 1
		return v
	}
	inv := float32(1 / math.Sqrt(norm))
	for i := range v {
		v[i] *= inv
	}
	return v
}
