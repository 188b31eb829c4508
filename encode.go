package oaicompat

import (
	"sync"
)

// This file holds the hand-written JSON appenders used on the hot path
// (stream chunks, error bodies). They produce the same bytes as
// encoding/json without HTML escaping, and allocate nothing.

// buffer is a pooled byte slice.
type buffer struct{ B []byte }

var bufferPool = sync.Pool{New: func() any { return &buffer{B: make([]byte, 0, 1024)} }}

// maxPooled keeps a single huge response from pinning memory in the pool.
const maxPooled = 64 << 10

func getBuffer() *buffer { return bufferPool.Get().(*buffer) }

func putBuffer(b *buffer) {
	if cap(b.B) > maxPooled {
		return
	}
	b.B = b.B[:0]
	bufferPool.Put(b)
}
