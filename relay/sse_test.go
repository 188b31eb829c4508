package relay

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// readEvents reads every event of input, each read of at most one byte
// when slow (events split at every byte boundary).
func readEvents(input string, max int, slow bool) ([]string, error) {
	var r io.Reader = strings.NewReader(input)
	if slow {
		r = iotest.OneByteReader(r)
	}
	sr := newSSEReader(r, max)
	var out []string
	for {
		data, err := sr.next()
		if err != nil {
			if err == io.EOF {
				return out, nil
			}
			return out, err
		}
		out = append(out, string(data))
	}
}

func TestSSEReader(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
		err      error
	}{
		{"two events", "data: a\n\ndata: b\n\n", []string{"a", "b"}, nil},
		{"no space after colon", "data:a\n\n", []string{"a"}, nil},
		{"only one space removed", "data:  a\n\n", []string{" a"}, nil},
		{"CRLF", "data: a\r\n\r\ndata: b\r\n\r\n", []string{"a", "b"}, nil},
		{"multi-line data", "data: a\ndata: b\n\n", []string{"a\nb"}, nil},
		{"comments and other fields", ": ping\nevent: x\nid: 7\nretry: 10\ndata: a\n\n", []string{"a"}, nil},
		{"event without data skipped", "event: x\n\n: ping\n\ndata: a\n\n", []string{"a"}, nil},
		{"empty data line", "data:\n\n", []string{""}, nil},
		{"field without colon", "data\n\n", []string{""}, nil},
		{"blank lines between", "\n\n\ndata: a\n\n\n", []string{"a"}, nil},
		{"last event without blank line", "data: a\n\ndata: b\n", []string{"a", "b"}, nil},
		{"line cut by EOF", "data: a\n\ndata: b", []string{"a"}, io.ErrUnexpectedEOF},
		{"empty stream", "", nil, nil},
		{"DONE", "data: [DONE]\n\n", []string{"[DONE]"}, nil},
	} {
		for _, slow := range []bool{false, true} {
			got, err := readEvents(tc.in, 1<<20, slow)
			if !errors.Is(err, tc.err) || strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("%s (slow %v): got %q, %v; want %q, %v", tc.name, slow, got, err, tc.want, tc.err)
			}
		}
	}
}

// TestSSELongLine: a line far longer than the bufio buffer passes whole,
// and the buffer it needed is released after it.
func TestSSELongLine(t *testing.T) {
	big := strings.Repeat("x", 5<<20)
	sr := newSSEReader(iotest.HalfReader(strings.NewReader("data: "+big+"\n\ndata: small\n\n")), 8<<20)
	data, err := sr.next()
	if err != nil || string(data) != big {
		t.Fatalf("got %d bytes, %v", len(data), err)
	}
	data, err = sr.next()
	if err != nil || string(data) != "small" {
		t.Fatalf("got %q, %v", data, err)
	}
	if cap(sr.data) > smallBuffer || cap(sr.long) > 6<<20 {
		t.Errorf("buffers kept: data %d, long %d", cap(sr.data), cap(sr.long))
	}
	if _, err := sr.next(); err != io.EOF {
		t.Errorf("end: %v", err)
	}
}

// TestSSELimit: an event over the limit fails, whether one line or many.
func TestSSELimit(t *testing.T) {
	for _, in := range []string{
		"data: " + strings.Repeat("x", 100<<10) + "\n\n",
		strings.Repeat("data: "+strings.Repeat("y", 1000)+"\n", 100) + "\n",
	} {
		if _, err := readEvents(in, 64<<10, false); !errors.Is(err, errEventTooLarge) {
			t.Errorf("got %v, want errEventTooLarge", err)
		}
	}
}
