package oaitest

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/oaicompat/oaicompat"
)

// wireFaults are the faults played below the oaicompat handler, on the
// bytes it writes.
type wireFaults struct {
	split        bool
	seed         uint64
	disconnect   bool
	disconnectAt int
	malformedAt  int
	noDone       bool
}

// errDisconnected is returned to the handler once the mock has dropped the
// connection.
var errDisconnected = errors.New("oaitest: connection closed by a DisconnectAfter fault")

var (
	doneFrame      = []byte("data: [DONE]\n\n")
	malformedFrame = []byte("data: {\"id\":\"oaitest-malformed\",\"choices\":[{\"delta\":{\"content\":\"\n\n")
	// The Anthropic Messages stream's: named events, its keep-alive, its
	// last event (the [DONE] of NoDone) and a cut event.
	namedEvent          = []byte("event: ")
	messagesPing        = []byte("event: ping\n")
	messageStopFrame    = []byte("event: message_stop\n")
	malformedNamedFrame = []byte("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"\n\n")
)

// faultWriter sits in front of the oaicompat handler. It records the
// status, adds the reply's headers, and plays the wire faults on SSE
// streams (chat chunks and Responses events alike). The handler writes one
// event per Write and flushes after it
// (see oaicompat's stream.go), so a Write is an event. It implements Unwrap
// and FlushError, so http.ResponseController keeps streaming through it.
type faultWriter struct {
	w http.ResponseWriter

	mu      sync.Mutex
	f       wireFaults
	rng     *rand.Rand
	header  http.Header // added when the header is written
	status  int
	events  int // data events written
	dead    bool
	errBody []byte // the body of an error response (status >= 400)
}

func newFaultWriter(w http.ResponseWriter, f wireFaults) *faultWriter {
	fw := &faultWriter{w: w}
	fw.setFaults(f)
	return fw
}

func (fw *faultWriter) setFaults(f wireFaults) {
	fw.f = f
	if f.split {
		fw.rng = rand.New(rand.NewPCG(f.seed, 0x73706c6974))
	}
}

// configure takes the headers and faults of the chosen reply; the mock's
// defaults apply where the reply sets none.
func (fw *faultWriter) configure(rep *Reply, defaults wireFaults) {
	f := rep.wire
	if !f.split && defaults.split {
		f.split, f.seed = true, defaults.seed
	}
	fw.mu.Lock()
	defer fw.mu.Unlock()
	fw.setFaults(f)
	for k, vs := range rep.header {
		if fw.header == nil {
			fw.header = http.Header{}
		}
		fw.header[k] = append(fw.header[k], vs...)
	}
}

// addHeader adds a response header (quota headers).
func (fw *faultWriter) addHeader(k, v string) {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if fw.header == nil {
		fw.header = http.Header{}
	}
	fw.header.Set(k, v)
}

func (fw *faultWriter) Header() http.Header {
	if fw.w == nil {
		return http.Header{}
	}
	return fw.w.Header()
}

func (fw *faultWriter) Unwrap() http.ResponseWriter { return fw.w }

// answeredError returns the error the response carried, if its status
// was an error: from the CallInfo when the handler noted it, else decoded
// from the body (the handler's 404 and 405 for unknown routes).
func (fw *faultWriter) answeredError(noted *oaicompat.Error) *oaicompat.Error {
	if noted != nil {
		return noted
	}
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if fw.status < 400 {
		return nil
	}
	var env struct {
		Error struct {
			Message, Type string
			Param, Code   *string
		}
	}
	_ = json.Unmarshal(fw.errBody, &env)
	e := &oaicompat.Error{Status: fw.status, Type: env.Error.Type, Message: env.Error.Message}
	if env.Error.Param != nil {
		e.Param = *env.Error.Param
	}
	if env.Error.Code != nil {
		e.Code = *env.Error.Code
	}
	return e
}

func (fw *faultWriter) statusCode() int {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if fw.status == 0 && !fw.dead {
		return http.StatusOK
	}
	return fw.status
}

func (fw *faultWriter) WriteHeader(code int) {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	fw.writeHeaderLocked(code)
}

func (fw *faultWriter) writeHeaderLocked(code int) {
	if fw.status != 0 || fw.dead {
		return
	}
	if fw.f.disconnect && fw.f.disconnectAt == 0 {
		fw.hangUpLocked()
		return
	}
	fw.status = code
	h := fw.w.Header()
	for k, vs := range fw.header {
		h[k] = append(h[k], vs...)
	}
	fw.w.WriteHeader(code)
}

func (fw *faultWriter) Write(b []byte) (int, error) {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	fw.writeHeaderLocked(http.StatusOK)
	if fw.dead {
		return 0, errDisconnected
	}
	n := len(b)
	if strings.HasPrefix(fw.w.Header().Get("Content-Type"), "text/event-stream") {
		if fw.f.noDone && bytes.HasSuffix(b, doneFrame) {
			b = b[:len(b)-len(doneFrame)]
		}
		if fw.f.noDone && bytes.HasPrefix(b, messageStopFrame) {
			b = nil
		}
		// An event, not a comment or a keep-alive.
		if len(b) > 0 && b[0] != ':' && !bytes.HasPrefix(b, doneFrame) && !bytes.HasPrefix(b, messagesPing) {
			fw.events++
			if fw.f.disconnect && fw.events > fw.f.disconnectAt {
				fw.hangUpLocked()
				return 0, errDisconnected
			}
			if fw.events == fw.f.malformedAt {
				if bytes.HasPrefix(b, namedEvent) {
					b = malformedNamedFrame
				} else {
					b = malformedFrame
				}
			}
		}
		if fw.rng != nil {
			return n, fw.splitLocked(b)
		}
	}
	if len(b) == 0 {
		return n, nil
	}
	if fw.status >= 400 && len(fw.errBody) < 4096 {
		fw.errBody = append(fw.errBody, b...)
	}
	if _, err := fw.w.Write(b); err != nil {
		return 0, err
	}
	return n, nil
}

// splitLocked writes b in pieces cut at random byte boundaries, one of
// them inside a multi-byte UTF-8 sequence when b has one, flushing after
// each piece.
func (fw *faultWriter) splitLocked(b []byte) error {
	for _, piece := range splitPoints(b, fw.rng) {
		if _, err := fw.w.Write(piece); err != nil {
			return err
		}
		if err := http.NewResponseController(fw.w).Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return err
		}
	}
	return nil
}

// splitPoints cuts b into 2 to 4 pieces (fewer when b is short).
func splitPoints(b []byte, rng *rand.Rand) [][]byte {
	if len(b) < 2 {
		return [][]byte{b}
	}
	cuts := map[int]bool{}
	for n := 1 + rng.IntN(3); n > 0; n-- {
		cuts[1+rng.IntN(len(b)-1)] = true
	}
	var inside []int // offsets inside a multi-byte rune
	for i := 1; i < len(b); i++ {
		if b[i] >= 0x80 && !utf8.RuneStart(b[i]) {
			inside = append(inside, i)
		}
	}
	if len(inside) > 0 {
		cuts[inside[rng.IntN(len(inside))]] = true
	}
	at := make([]int, 0, len(cuts))
	for c := range cuts {
		at = append(at, c)
	}
	sort.Ints(at)
	out := make([][]byte, 0, len(at)+1)
	prev := 0
	for _, c := range at {
		out = append(out, b[prev:c])
		prev = c
	}
	return append(out, b[prev:])
}

// hangUpLocked closes the connection under the handler: what was written
// is flushed, then the TCP connection is closed without ending the
// response, so the client sees the body cut short.
func (fw *faultWriter) hangUpLocked() {
	fw.dead = true
	conn, brw, err := http.NewResponseController(fw.w).Hijack() // flushes what was written

	if err != nil {
		return
	}
	_ = brw.Flush()
	_ = conn.Close()
}

// FlushError flushes the underlying writer; after a disconnect it fails.
func (fw *faultWriter) FlushError() error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if fw.dead {
		return errDisconnected
	}
	err := http.NewResponseController(fw.w).Flush()
	if errors.Is(err, http.ErrNotSupported) {
		return nil
	}
	return err
}

// Flush implements http.Flusher.
func (fw *faultWriter) Flush() { _ = fw.FlushError() }
