// Command bodyrss measures what request bodies cost the handler in memory:
// the peak resident set (VmHWM, reset between cases through
// /proc/self/clear_refs) while the default handler receives bodies that are
// too large (with and without Content-Length) and bodies just under the
// limit, one and eight at a time. The client streams each body from a
// generator, so the figures are the server's. Linux only.
//
//	go run ./internal/cmd/bodyrss
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"github.com/oaicompat/oaicompat"
)

// body streams {"model":"m","messages":[{"role":"user","content":"xxx…"}]}
// of n bytes in all without holding it.
type body struct {
	head, tail string
	fill       int
	off        int
}

func newBody(n int) *body {
	head, tail := `{"model":"m","messages":[{"role":"user","content":"`, `"}]}`
	return &body{head: head, tail: tail, fill: n - len(head) - len(tail)}
}

func (b *body) Read(p []byte) (int, error) {
	total := len(b.head) + b.fill + len(b.tail)
	if b.off >= total {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && b.off < total {
		switch {
		case b.off < len(b.head):
			p[n] = b.head[b.off]
		case b.off < len(b.head)+b.fill:
			p[n] = 'x'
		default:
			p[n] = b.tail[b.off-len(b.head)-b.fill]
		}
		n++
		b.off++
	}
	return n, nil
}

func peakMiB() float64 {
	s, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(s), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return float64(kb) / 1024
		}
	}
	return 0
}

func resetPeak() {
	runtime.GC()
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

func main() {
	h := oaicompat.NewHandler(oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		return w.WriteText(strconv.Itoa(len(req.LastUserMessage())))
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := oaicompat.NewServer("", h)
	go func() { _ = srv.Serve(ln) }()
	url := "http://" + ln.Addr().String() + "/v1/chat/completions"
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

	send := func(size int, chunked bool) int {
		var r io.Reader = newBody(size)
		if chunked {
			r = io.MultiReader(r) // hides the length: sent chunked
		}
		req, _ := http.NewRequest("POST", url, r)
		if !chunked {
			req.ContentLength = int64(size)
		}
		res, err := client.Do(req)
		if err != nil {
			return 0 // the server may close while a refused body is still being sent
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	run := func(name string, n, size int, chunked bool) {
		resetPeak()
		base := peakMiB()
		var wg sync.WaitGroup
		codes := make([]int, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) { defer wg.Done(); codes[i] = send(size, chunked) }(i)
		}
		wg.Wait()
		extra := peakMiB() - base
		fmt.Printf("%-38s status %v  peak extra RSS %6.1f MiB  (%.2f x the bytes sent)\n",
			name, codes[0], extra, extra/(float64(n*size)/(1<<20)))
	}
	run("1 x 40 MiB, Content-Length (refused)", 1, 40<<20, false)
	run("1 x 40 MiB, chunked (refused)", 1, 40<<20, true)
	run("8 x 40 MiB, Content-Length (refused)", 8, 40<<20, false)
	run("8 x 40 MiB, chunked (refused)", 8, 40<<20, true)
	run("1 x 31 MiB (accepted)", 1, 31<<20, false)
	run("8 x 31 MiB (accepted)", 8, 31<<20, false)
}
