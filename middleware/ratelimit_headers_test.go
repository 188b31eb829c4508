package middleware

import (
	"testing"
	"time"
)

// TestAppendDuration: the reset headers read exactly as time.Duration.String
// writes them.
func TestAppendDuration(t *testing.T) {
	for _, d := range []time.Duration{
		0, time.Millisecond, 20 * time.Millisecond, 999 * time.Millisecond, time.Second, 1001 * time.Millisecond,
		1010 * time.Millisecond, 1100 * time.Millisecond, 18 * time.Second, 30*time.Second + time.Millisecond,
		59*time.Second + 999*time.Millisecond, time.Minute, 6 * time.Minute, time.Hour, time.Hour + time.Second,
		25*time.Hour + 61*time.Minute + 500*time.Millisecond, 1500 * time.Microsecond, -time.Second,
	} {
		if got, want := string(appendDuration(nil, d)), d.String(); got != want {
			t.Errorf("appendDuration(%d) = %q, want %q", d, got, want)
		}
	}
}
