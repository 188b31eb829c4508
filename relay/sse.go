package relay

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
)

// sseReader reads the data of server-sent events from an upstream stream.
// It is built on bufio.Reader.ReadSlice, never bufio.Scanner: a line
// longer than the buffer (a multi-MB base64 image in one data: line) is
// accumulated, not cut, up to max bytes per event, which bounds the memory
// one stream can take. The buffer of an oversized event is dropped after
// it, so one big event does not pin memory for the rest of the stream.
//
// Framing follows the SSE spec as the OpenAI SDKs implement it: lines end
// in "\n" or "\r\n"; "data:" lines (one optional space after the colon)
// are joined with "\n"; comment lines (": ping") and other fields (event:,
// id:, retry:) are skipped; a blank line ends an event; an event without
// data is skipped; the last event needs no blank line before EOF.
type sseReader struct {
	br   *bufio.Reader
	max  int
	data []byte // the data of the event being read
	long []byte // a line longer than the bufio buffer
	has  bool   // the event has a data line (possibly empty)
}

// smallBuffer is the capacity kept between events; a larger buffer (left
// by an oversized event) is released.
const smallBuffer = 64 << 10

// errEventTooLarge is returned for an event larger than the reader's max.
var errEventTooLarge = errors.New("relay: upstream SSE event larger than the limit")

// sseReaders are the readers of finished streams, reused: a reader's
// 16 KiB buffer is most of what a relayed stream allocates.
var sseReaders = sync.Pool{New: func() any { return &sseReader{br: bufio.NewReaderSize(nil, 16<<10)} }}

// newSSEReader returns a reader of r's events; release returns it.
func newSSEReader(r io.Reader, max int) *sseReader {
	s := sseReaders.Get().(*sseReader)
	s.br.Reset(r)
	s.max = max
	return s
}

// release returns s to the pool; neither s nor the data it returned may be
// used after it.
func (s *sseReader) release() {
	s.br.Reset(nil)
	if cap(s.data) > smallBuffer {
		s.data = nil
	}
	if cap(s.long) > smallBuffer {
		s.long = nil
	}
	s.data, s.long, s.has = s.data[:0], s.long[:0], false
	sseReaders.Put(s)
}

// next returns the data of the next event. The slice is valid until the
// next call. At the end of the stream it returns io.EOF; a stream cut in
// the middle of a line returns io.ErrUnexpectedEOF.
func (s *sseReader) next() ([]byte, error) {
	if cap(s.data) > smallBuffer {
		s.data = nil
	}
	s.data, s.has = s.data[:0], false
	for {
		line, err := s.line()
		if err != nil {
			if err == io.EOF && s.has {
				return s.data, nil // the last event, without its blank line
			}
			return nil, err
		}
		if len(line) == 0 {
			if s.has {
				return s.data, nil
			}
			continue
		}
		field, value := line, []byte(nil)
		if i := bytes.IndexByte(line, ':'); i >= 0 {
			field, value = line[:i], line[i+1:]
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
		}
		if string(field) != "data" {
			continue // a comment (empty field), event:, id:, retry:, unknown fields
		}
		if s.has {
			s.data = append(s.data, '\n')
		}
		if len(s.data)+len(value) > s.max {
			return nil, fmt.Errorf("%w (%d bytes)", errEventTooLarge, s.max)
		}
		s.data = append(s.data, value...)
		s.has = true
	}
}

// line reads one line without its line ending. A line cut by the end of the
// stream is io.ErrUnexpectedEOF (io.EOF when nothing was left).
func (s *sseReader) line() ([]byte, error) {
	line, err := s.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		if cap(s.long) > smallBuffer {
			s.long = nil
		}
		s.long = append(s.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = s.br.ReadSlice('\n')
			if len(s.long)+len(line) > s.max+2 {
				return nil, fmt.Errorf("%w (%d bytes)", errEventTooLarge, s.max)
			}
			s.long = append(s.long, line...)
		}
		line = s.long
	}
	if err != nil {
		if err == io.EOF && len(line) > 0 {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}
