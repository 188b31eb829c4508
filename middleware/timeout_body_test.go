package middleware_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
)

// bodyTimeout is the 408 every path answers to a body that came too slowly.
const bodyTimeout = `{"error":{"message":"Timed out reading the request body.","type":"invalid_request_error","param":null,"code":"request_timeout"}}` + "\n"

// TestTimeoutBoundsSlowBody: a client that sends its body a byte at a time
// gets 408 and a closed connection when Timeout's deadline passes, whatever
// the handler: an oaicompat.Handler whose own read timeout is longer, or a
// plain handler that answers its body's read error. The answer is the one
// the handler gives when its own read timeout passes first.
func TestTimeoutBoundsSlowBody(t *testing.T) {
	t.Parallel()
	ran := make(chan string, 8)
	backend := oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		ran <- "backend"
		return w.WriteText("hi")
	})
	plain := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			oaicompat.WriteErrorFor(w, r, err)
			return
		}
		ran <- "plain"
	})
	const d = 300 * time.Millisecond
	tests := []struct {
		name string
		h    http.Handler
	}{
		{"Timeout, handler reading for an hour", middleware.Timeout(d)(oaicompat.NewHandler(backend, oaicompat.WithReadTimeout(time.Hour)))},
		{"Timeout, handler without a read timeout", middleware.Timeout(d)(oaicompat.NewHandler(backend, oaicompat.WithReadTimeout(0)))},
		{"Timeout, plain handler", middleware.Timeout(d)(plain)},
		{"handler's own read timeout", oaicompat.NewHandler(backend, oaicompat.WithReadTimeout(d))},
	}
	for _, tt := range tests {
		for _, chunked := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/chunked=%v", tt.name, chunked), func(t *testing.T) {
				t.Parallel()
				srv := httptest.NewServer(tt.h)
				defer srv.Close()
				res, closed := slowPost(t, srv.Listener.Addr().String(), chunked)
				got, _ := io.ReadAll(res.Body)
				if res.StatusCode != http.StatusRequestTimeout || string(got) != bodyTimeout ||
					!res.Close || res.Header.Get("Content-Type") != "application/json" {
					t.Fatalf("got %d %v %q\nwant 408 with Connection: close and %s", res.StatusCode, res.Header, got, bodyTimeout)
				}
				if !closed {
					t.Fatal("the server kept the connection open")
				}
			})
		}
	}
	t.Cleanup(func() {
		if len(ran) > 0 {
			t.Errorf("%s ran for a body that never arrived", <-ran)
		}
	})
}

// slowPost sends a chat request whose body comes one byte every 50ms (it
// would take seconds), reads the answer, and reports whether the server
// then closed the connection (waiting at most 20s: a bound against a hang,
// not a timing assertion).
func slowPost(t *testing.T, addr string, chunked bool) (*http.Response, bool) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	body := chatBody(false)
	if chunked {
		fmt.Fprintf(c, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
	} else {
		fmt.Fprintf(c, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", len(body))
	}
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	go func() {
		for i := range len(body) {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			b := body[i : i+1]
			if chunked {
				b = "1\r\n" + b + "\r\n"
			}
			if _, err := io.WriteString(c, b); err != nil {
				return
			}
		}
	}()
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
	br := bufio.NewReader(c)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	res.Body = io.NopCloser(strings.NewReader(string(b)))
	_, err = br.ReadByte() // EOF once the server closed the connection
	var ne net.Error
	return res, errors.Is(err, io.EOF) || !(errors.As(err, &ne) && ne.Timeout()) && err != nil
}

// TestTimeoutBodyInTime: a body that arrives in time leaves the deadline to
// the request's context: the backend's context ends with
// context.DeadlineExceeded (not the cancellation a connection read deadline
// left in place would cause) and the client reads the 504.
func TestTimeoutBodyInTime(t *testing.T) {
	t.Parallel()
	got := make(chan error, 1)
	backend := oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		<-ctx.Done()
		got <- ctx.Err()
		return ctx.Err()
	})
	srv := httptest.NewServer(middleware.Timeout(200 * time.Millisecond)(oaicompat.NewHandler(backend)))
	defer srv.Close()
	res, err := srv.Client().Post(srv.URL+"/v1/chat/completions", "application/json", strings.NewReader(chatBody(false)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusGatewayTimeout || !strings.Contains(string(b), `"code":"timeout"`) {
		t.Fatalf("got %d %s, want 504 timeout", res.StatusCode, b)
	}
	if err := <-got; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the backend's context ended with %v, want DeadlineExceeded", err)
	}
}
