package oaicompat

// Response header values set on every answer. They are shared, not made per
// response: http.Header.Set allocates a new []string each time, and an
// answer sets up to three. Each slice has length and capacity 1, so
// Header.Add on one copies it; nothing may write into them in place.
var (
	headerJSON        = []string{"application/json"}
	headerEventStream = []string{"text/event-stream; charset=utf-8"}
	headerNoCache     = []string{"no-cache"}
	headerNo          = []string{"no"}
)
