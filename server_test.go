package oaicompat_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat"
)

// serveNewServer serves h with NewServer on a loopback listener; tune
// adjusts the server before it starts.
func serveNewServer(t *testing.T, h http.Handler, tune func(*http.Server)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := oaicompat.NewServer(ln.Addr().String(), h)
	if tune != nil {
		tune(srv)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// closedWithin reads from c until the server closes it, failing the test
// if it is still open after limit (a bound against a hang, not a timing
// assertion); it returns what the server sent.
func closedWithin(t *testing.T, c net.Conn, limit time.Duration) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(limit))
	b, err := io.ReadAll(c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the server kept the connection open (read %q)", b)
	}
	return string(b)
}

// TestNewServerClosesSlowBodies: a client that sends its body one byte at a
// time gets 408 and a closed connection once the handler's read timeout
// passes, and the backend never runs.
func TestNewServerClosesSlowBodies(t *testing.T) {
	ran := make(chan struct{}, 1)
	h := oaicompat.NewHandler(oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		ran <- struct{}{}
		return w.WriteText("hi")
	}), oaicompat.WithReadTimeout(200*time.Millisecond))
	addr := serveNewServer(t, h, nil)
	for _, chunked := range []bool{false, true} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		body := `{"model":"m","messages":[{"role":"user","content":"hi"}]}`
		if chunked {
			fmt.Fprintf(c, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
		} else {
			fmt.Fprintf(c, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", len(body))
		}
		stop := make(chan struct{})
		go func() { // one byte every 50ms, never the whole body in time
			for i := 0; i < len(body); i++ {
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
		got := closedWithin(t, c, 20*time.Second)
		close(stop)
		c.Close()
		if !strings.HasPrefix(got, "HTTP/1.1 408") || !strings.Contains(got, `"code":"request_timeout"`) {
			t.Fatalf("chunked=%v: %q", chunked, got)
		}
	}
	select {
	case <-ran:
		t.Fatal("the backend ran for a body that never arrived")
	default:
	}
}

// TestNewServerClosesIdleAndSlowHeaders: NewServer closes keep-alive
// connections left idle and connections whose headers never finish (its
// timeouts, shortened for the test).
func TestNewServerClosesIdleAndSlowHeaders(t *testing.T) {
	addr := serveNewServer(t, oaicompat.NewHandler(oaicompat.ChatFunc(nil)), func(s *http.Server) {
		if s.IdleTimeout <= 0 || s.ReadHeaderTimeout <= 0 || s.ReadTimeout != 0 || s.WriteTimeout != 0 {
			t.Fatalf("NewServer timeouts: %+v", s)
		}
		s.IdleTimeout, s.ReadHeaderTimeout = 200*time.Millisecond, 200*time.Millisecond
	})
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	fmt.Fprintf(idle, "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
	res, err := http.ReadResponse(bufio.NewReader(idle), nil)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("models: %v %v", res, err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	closedWithin(t, idle, 20*time.Second) // then idle: closed

	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fmt.Fprintf(slow, "GET /v1/models HTTP/1.1\r\nHost: x\r\n") // headers never end
	closedWithin(t, slow, 20*time.Second)
}

// TestOversizedBodyRefusedBeforeReading: a Content-Length over the limit
// is answered 413 at once, without waiting for (or buffering) the body.
func TestOversizedBodyRefusedBeforeReading(t *testing.T) {
	addr := serveNewServer(t, oaicompat.NewHandler(oaicompat.ChatFunc(nil), oaicompat.WithMaxRequestBytes(1<<20)), nil)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n{", 40<<20) // the body never comes
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer before the body: %v", err)
	}
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 413 || !strings.Contains(string(b), `"code":"request_too_large"`) {
		t.Fatalf("%d %s", res.StatusCode, b)
	}
}
