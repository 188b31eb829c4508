package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	_ "net/http/pprof"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
	openai "github.com/sashabaranov/go-openai"
)

// The servers compared. Each runs in a process of its own ("compare serve
// -kind K"), so that its CPU time and memory are its own.
const (
	kindReference  = "reference" // net/http writing the handler's bytes, precomputed
	kindHandRolled = "go-openai" // go-openai types + encoding/json + fmt SSE
	kindHandler    = "handler"   // oaicompat.NewHandler, default options
	kindChain      = "chain"     // the handler behind the production middleware
)

var kinds = []string{kindReference, kindHandRolled, kindHandler, kindChain}

// apiKey is the key every load request carries (Auth of the chain checks it;
// the others ignore it).
const apiKey = "sk-bench-0123456789"

// holdModel makes the backend write one chunk and then wait for the client
// to go away (held streams, abort latency); the reference server holds on
// the query ?hold instead, as it does not read the body.
const holdModel = "hold"

// reply is the 23-word answer of every server.
var reply = strings.Fields("Paris in April is mild and often rainy, so pack layers, a light raincoat, an umbrella and comfortable shoes for long walking tours.")

// replyDeltas are the words of reply as the backend writes them: each
// after the first with its leading space.
var replyDeltas = func() []string {
	d := make([]string, len(reply))
	for i, w := range reply {
		if i > 0 {
			w = " " + w
		}
		d[i] = w
	}
	return d
}()

// cancelNanos is when the last held request saw its context canceled
// (Unix nanoseconds), for the abort latency.
var cancelNanos atomic.Int64

// backend answers with reply, one delta per word (so a stream has 23
// content chunks), or holds for holdModel.
var backend = oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	if req.Model == holdModel {
		if err := w.WriteText("held"); err != nil {
			return err
		}
		<-ctx.Done()
		cancelNanos.Store(time.Now().UnixNano())
		return ctx.Err()
	}
	for _, word := range replyDeltas {
		if err := w.WriteText(word); err != nil {
			return err
		}
	}
	w.SetUsage(oaicompat.Usage{PromptTokens: 250, CompletionTokens: len(reply)})
	return nil
})

// newHandler is the handler under test; fixed makes ids and timestamps
// constant (for capturing the reference bytes).
func newHandler(fixed bool) http.Handler {
	var opts []oaicompat.Option
	if fixed {
		opts = append(opts,
			oaicompat.WithIDGenerator(func(prefix string) string { return prefix + "0123456789abcdefghijklmn" }),
			oaicompat.WithClock(func() time.Time { return time.Unix(1700000000, 0) }))
	}
	return oaicompat.NewHandler(backend, opts...)
}

// newChain is the handler behind RequestID, AccessLog (discarded),
// Recovery, Auth and RateLimit with the memory store.
func newChain() http.Handler {
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	return middleware.Chain(
		middleware.RequestID(),
		middleware.AccessLog(discard),
		middleware.Recovery(discard),
		middleware.Auth(middleware.StaticKeys(map[string]string{apiKey: "bench"})),
		middleware.RateLimit(middleware.Limits{Requests: 1 << 40, Tokens: 1 << 50}),
	)(newHandler(false))
}

// captured is one response of the handler: status, headers and body, the
// body of a stream cut into its events.
type captured struct {
	header http.Header
	body   []byte
	events [][]byte
}

// capture runs body through the fixed-id handler in memory.
func capture(h http.Handler, body []byte) captured {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/v1/chat/completions", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		fmt.Fprintf(os.Stderr, "capture: status %d: %s\n", rec.Code, rec.Body)
		os.Exit(1)
	}
	c := captured{header: rec.Header().Clone(), body: rec.Body.Bytes()}
	for rest := c.body; len(rest) > 0; {
		i := bytes.Index(rest, []byte("\n\n"))
		if i < 0 {
			c.events = append(c.events, rest)
			break
		}
		c.events = append(c.events, rest[:i+2])
		rest = rest[i+2:]
	}
	return c
}

// newReference returns a net/http handler writing the bytes and headers the
// handler wrote for the same requests, precomputed: one Write for a
// completion, one Write and Flush per event for a stream.
func newReference() http.Handler {
	h := newHandler(true)
	plain, stream := capture(h, requestBody(false, "")), capture(h, requestBody(true, ""))
	held := capture(h, requestBody(true, "")).events[:1] // the role chunk
	set := func(w http.ResponseWriter, from http.Header) {
		for k, v := range from {
			w.Header()[k] = v
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		rc := http.NewResponseController(w)
		switch {
		case r.URL.RawQuery == "hold":
			set(w, stream.header)
			_, _ = w.Write(held[0])
			_ = rc.Flush()
			<-r.Context().Done()
			cancelNanos.Store(time.Now().UnixNano())
		case r.URL.RawQuery == "stream":
			set(w, stream.header)
			for _, e := range stream.events {
				_, _ = w.Write(e)
				_ = rc.Flush()
			}
		default:
			set(w, plain.header)
			_, _ = w.Write(plain.body)
		}
	})
}

// newHandRolled is what a server written by hand with go-openai's types and
// encoding/json does.
func newHandRolled() http.Handler {
	text := strings.Join(reply, " ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req openai.ChatCompletionRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		id, created := "chatcmpl-"+randomID(), time.Now().Unix()
		usage := openai.Usage{PromptTokens: 250, CompletionTokens: len(reply), TotalTokens: 250 + len(reply)}
		if !req.Stream {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(openai.ChatCompletionResponse{
				ID: id, Object: "chat.completion", Created: created, Model: req.Model,
				Choices: []openai.ChatCompletionChoice{{Message: openai.ChatCompletionMessage{Role: "assistant", Content: text}, FinishReason: openai.FinishReasonStop}},
				Usage:   usage,
			})
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		flusher := w.(http.Flusher)
		send := func(c openai.ChatCompletionStreamResponse) {
			c.ID, c.Object, c.Created, c.Model = id, "chat.completion.chunk", created, req.Model
			b, _ := json.Marshal(c)
			fmt.Fprintf(w, "data: %s\n\n", b)
			flusher.Flush()
		}
		choice := func(d openai.ChatCompletionStreamChoiceDelta, finish openai.FinishReason) openai.ChatCompletionStreamResponse {
			return openai.ChatCompletionStreamResponse{Choices: []openai.ChatCompletionStreamChoice{{Delta: d, FinishReason: finish}}}
		}
		send(choice(openai.ChatCompletionStreamChoiceDelta{Role: "assistant"}, ""))
		for i, word := range reply {
			if i > 0 {
				word = " " + word
			}
			send(choice(openai.ChatCompletionStreamChoiceDelta{Content: word}, ""))
		}
		send(choice(openai.ChatCompletionStreamChoiceDelta{}, openai.FinishReasonStop))
		if req.StreamOptions != nil && req.StreamOptions.IncludeUsage {
			send(openai.ChatCompletionStreamResponse{Choices: []openai.ChatCompletionStreamChoice{}, Usage: &usage})
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
		flusher.Flush()
	})
}

// randomID is the 24 random characters of a completion id.
func randomID() string {
	return fmt.Sprintf("%016x%08x", rand.Uint64(), rand.Uint32())
}

// stats is what a server reports on its side port.
type stats struct {
	CPUMicros  int64 `json:"cpu_us"` // user + system, from getrusage
	SysMicros  int64 `json:"sys_us"` // system alone
	Writes     int64 `json:"writes"` // write system calls (syscw of /proc/self/io)
	RSSKiB     int64 `json:"rss_kib"`
	Goroutines int   `json:"goroutines"`
	CancelNano int64 `json:"cancel_ns"`
	HeapKiB    int64 `json:"heap_kib"`  // HeapInuse
	StackKiB   int64 `json:"stack_kib"` // StackInuse
}

func readStats() stats {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return stats{
		HeapKiB:    int64(ms.HeapInuse) >> 10,
		StackKiB:   int64(ms.StackInuse) >> 10,
		CPUMicros:  ru.Utime.Sec*1e6 + ru.Utime.Usec + ru.Stime.Sec*1e6 + ru.Stime.Usec,
		SysMicros:  ru.Stime.Sec*1e6 + ru.Stime.Usec,
		Writes:     procIO("syscw"),
		RSSKiB:     rssKiB(),
		Goroutines: runtime.NumGoroutine(),
		CancelNano: cancelNanos.Load(),
	}
}

// procIO returns the counter name of /proc/self/io, 0 when unknown.
func procIO(name string) int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+": "); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

// rssKiB is the resident set of this process (VmRSS).
func rssKiB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var n int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &n)
			return n
		}
	}
	return 0
}

// serve runs server kind on addr, with its stats on statsAddr (and
// net/http/pprof under /debug/pprof/).
func serve(kind, addr, statsAddr string) error {
	var h http.Handler
	switch kind {
	case kindReference:
		h = newReference()
	case kindHandRolled:
		h = newHandRolled()
	case kindHandler:
		h = newHandler(false)
	case kindChain:
		h = newChain()
	default:
		return fmt.Errorf("unknown kind %q", kind)
	}
	sl, err := net.Listen("tcp", statsAddr)
	if err != nil {
		return err
	}
	go func() {
		_ = http.Serve(sl, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/debug/pprof/") {
				http.DefaultServeMux.ServeHTTP(w, r) // net/http/pprof
				return
			}
			if r.URL.Path == "/gc" {
				runtime.GC()
			}
			_ = json.NewEncoder(w).Encode(readStats())
		}))
	}()
	srv := &http.Server{Addr: addr, Handler: h}
	return srv.ListenAndServe()
}
