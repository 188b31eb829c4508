package sdktest

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

// Request is a request to one of the host application's own routes.
type Request struct {
	Method, Path string
	Header       http.Header
}

// response is what Unchanged compares.
type response struct {
	status             int
	contentType, allow string
	body               []byte
}

// Get sends r to the server at base and returns the status and body.
func Get(t testing.TB, base string, r Request) (int, string) {
	t.Helper()
	res := fetch(t, base, r)
	return res.status, string(res.body)
}

func fetch(t testing.TB, base string, r Request) response {
	t.Helper()
	req, err := http.NewRequest(r.Method, base+r.Path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Allow"), body}
}

// Unchanged sends each request to the host application as it was before
// the API was mounted (served at before) and as it is now (at after), and
// fails t on any difference in status, Content-Type, Allow or body.
func Unchanged(t testing.TB, before, after string, requests ...Request) {
	t.Helper()
	for _, r := range requests {
		want, got := fetch(t, before, r), fetch(t, after, r)
		if got.status != want.status || got.contentType != want.contentType || got.allow != want.allow ||
			!bytes.Equal(got.body, want.body) {
			t.Errorf("%s %s %v changed once the API was mounted:\n got %d %q Allow %q %s\nwant %d %q Allow %q %s",
				r.Method, r.Path, r.Header, got.status, got.contentType, got.allow, got.body,
				want.status, want.contentType, want.allow, want.body)
		}
	}
}
