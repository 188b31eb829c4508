package middleware

import (
	"net/http"
	"strconv"
	"time"
)

// The canonical x-ratelimit-{limit,remaining,reset}-* names of each bucket.
var (
	requestsHeaders = [3]string{"X-Ratelimit-Limit-Requests", "X-Ratelimit-Remaining-Requests", "X-Ratelimit-Reset-Requests"}
	tokensHeaders   = [3]string{"X-Ratelimit-Limit-Tokens", "X-Ratelimit-Remaining-Tokens", "X-Ratelimit-Reset-Tokens"}
)

// setLimitHeaders sets x-ratelimit-{limit,remaining,reset}-{requests,tokens}
// for the charged buckets. The values share one string and one slice: two
// allocations for the lot, one when the headers were set before (the tokens
// are charged twice: nothing before the handler, the estimate at
// admission).
func setLimitHeaders(h http.Header, charges []Charge, buckets []Bucket) {
	var (
		buf  [3 * 2 * 24]byte
		ends [3 * 2]int
	)
	b := buf[:0]
	for i, c := range charges {
		b = strconv.AppendInt(b, c.Limit, 10)
		ends[3*i] = len(b)
		b = strconv.AppendInt(b, buckets[i].Remaining, 10)
		ends[3*i+1] = len(b)
		b = appendDuration(b, ceilMillis(buckets[i].Reset))
		ends[3*i+2] = len(b)
	}
	s := string(b)
	var vals []string
	start := 0
	for i, c := range charges {
		names := &requestsHeaders
		if c.Name == bucketTokens {
			names = &tokensHeaders
		}
		for j, name := range names {
			k := 3*i + j
			v := s[start:ends[k]]
			start = ends[k]
			if old := h[name]; len(old) == 1 {
				old[0] = v
				continue
			}
			if vals == nil {
				vals = make([]string, 3*len(charges))
			}
			vals[k] = v
			h[name] = vals[k : k+1 : k+1]
		}
	}
}

// ceilMillis rounds d up to a whole millisecond, so that waiting as long as
// told is always enough.
func ceilMillis(d time.Duration) time.Duration {
	return (d + time.Millisecond - 1) / time.Millisecond * time.Millisecond
}

// appendDuration appends d as time.Duration.String formats it, without
// allocating, for the whole-millisecond durations of the reset headers.
func appendDuration(b []byte, d time.Duration) []byte {
	if d < 0 || d%time.Millisecond != 0 {
		return append(b, d.String()...)
	}
	if d < time.Second {
		if d == 0 {
			return append(b, "0s"...)
		}
		return append(strconv.AppendInt(b, int64(d/time.Millisecond), 10), "ms"...)
	}
	h, m := d/time.Hour, d%time.Hour/time.Minute
	if h > 0 {
		b = append(strconv.AppendInt(b, int64(h), 10), 'h')
	}
	if h > 0 || m > 0 {
		b = append(strconv.AppendInt(b, int64(m), 10), 'm')
	}
	b = strconv.AppendInt(b, int64(d%time.Minute/time.Second), 10)
	if ms := int64(d % time.Second / time.Millisecond); ms != 0 {
		frac := [4]byte{'.', byte('0' + ms/100), byte('0' + ms/10%10), byte('0' + ms%10)}
		n := 4
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	return append(b, 's')
}
