// Command relaybench measures what package relay adds to a request: the
// latency of calling a loopback upstream through a relay, minus the latency
// of calling the same upstream directly, measured by the client.
//
//	go run ./relay/internal/relaybench            # the figures in the README
//	go run ./relay/internal/relaybench -n 4000 -c 1,16,64
//
// Three processes: the upstream (an oaicompat handler with a fixed-answer
// backend), the relay (relay.Headers around oaicompat.NewHandler around a
// Relay with that one upstream, as examples/relay serves it) and this
// client. Each of the two child processes is this binary run with -role.
// What a figure includes: the relay's whole path as a client sees it, two
// loopback HTTP hops instead of one, the handler's decoding and
// validation, routing and health checks, the body rewrite, the upstream
// request, and the decoding and re-encoding of every chunk. It excludes
// nothing: it is not a self-reported timer. A bare reverse proxy
// (net/http/httputil, no parsing) runs alongside as the floor of what one
// more loopback hop costs on the machine.
//
// Method (after BerriAI/ai-gateway-bench and go-llmflow's gwbench):
// requests are interleaved (each worker alternates direct and relayed
// calls in random order, so machine drift falls on both equally), the
// first -warmup pairs are discarded, and added latency is the percentile
// of relayed minus the same percentile of direct. Throughput runs each
// target alone at full concurrency in alternating one-second windows.
// Streaming figures use a paced upstream (-chunks deltas, -pace apart):
// added time to first token and the 99th percentile of the gaps between
// chunks. RSS is the relay process's VmRSS, idle and at its peak under
// load.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/relay"
)

func main() {
	role := flag.String("role", "client", "client, or upstream, relay or proxy (the child processes)")
	upstreamURL := flag.String("upstream", "", "relay and proxy roles: the upstream's URL")
	n := flag.Int("n", 3000, "measured request pairs per concurrency level")
	warmup := flag.Int("warmup", 300, "request pairs discarded first")
	levels := flag.String("c", "1,64", "concurrency levels, comma-separated")
	streams := flag.Int("streams", 40, "paced streams per target")
	chunks := flag.Int("chunks", 32, "deltas per paced stream")
	pace := flag.Duration("pace", 10*time.Millisecond, "gap between the deltas of a paced stream")
	window := flag.Duration("window", time.Second, "throughput: length of one measuring window")
	profile := flag.String("relay-cpuprofile", "", "write a CPU profile of the relay process to this file")
	flag.Parse()
	switch *role {
	case "upstream":
		serve(upstreamHandler(*chunks, *pace))
	case "proxy":
		u, err := url.Parse(*upstreamURL)
		if err != nil {
			log.Fatal(err)
		}
		rp := httputil.NewSingleHostReverseProxy(u)
		rp.FlushInterval = -1
		rp.ErrorLog = log.New(io.Discard, "", 0)
		rp.Transport = &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute}
		serve(rp)
	case "relay":
		if *profile != "" {
			f, err := os.Create(*profile)
			if err != nil {
				log.Fatal(err)
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				log.Fatal(err)
			}
			go func() { // the client ends the relay with SIGTERM
				sig := make(chan os.Signal, 1)
				signal.Notify(sig, syscall.SIGTERM)
				<-sig
				pprof.StopCPUProfile()
				f.Close()
				os.Exit(0)
			}()
		}
		r, err := relay.New([]relay.Upstream{{Name: "bench", BaseURL: *upstreamURL, MaxConcurrent: 1024}},
			relay.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
		if err != nil {
			log.Fatal(err)
		}
		serve(relay.Headers(oaicompat.NewHandler(r, oaicompat.WithAnyModel(), oaicompat.WithoutOutputChecks(), oaicompat.WithLogger(quiet()))))
	default:
		var cs []int
		for _, s := range strings.Split(*levels, ",") {
			c, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || c < 1 {
				log.Fatalf("bad -c %q", *levels)
			}
			cs = append(cs, c)
		}
		runClient(cs, *n, *warmup, *streams, *chunks, *pace, *window, *profile)
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// serve listens on a free loopback port, prints its URL and serves h.
func serve(h http.Handler) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("http://%s\n", ln.Addr())
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}

// answer is the fixed reply: about 1.3 KB of JSON in a chat.completion.
var answer = strings.Repeat("The quick brown fox jumps over the lazy dog. ", 24)

// upstreamHandler answers model "fixed" at once (in 16 deltas, which a
// stream sends as 16 chunks) and model "paced" with chunks deltas, pace
// apart.
func upstreamHandler(chunks int, pace time.Duration) http.Handler {
	pieces := splitN(answer, 16)
	return oaicompat.NewHandler(oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		if req.Model == "paced" {
			t := time.NewTicker(pace)
			defer t.Stop()
			for i := 0; i < chunks; i++ {
				if i > 0 {
					select {
					case <-t.C:
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				if err := w.WriteText("tok "); err != nil {
					return err
				}
			}
		} else {
			for _, p := range pieces {
				if err := w.WriteText(p); err != nil {
					return err
				}
			}
		}
		w.SetUsage(oaicompat.Usage{PromptTokens: 20, CompletionTokens: 300})
		return nil
	}), oaicompat.WithoutOutputChecks(), oaicompat.WithLogger(quiet()), oaicompat.WithKeepAlive(0))
}

func splitN(s string, n int) []string {
	var out []string
	size := (len(s) + n - 1) / n
	for len(s) > 0 {
		k := min(size, len(s))
		out = append(out, s[:k])
		s = s[k:]
	}
	return out
}

// child starts this binary with args and returns the URL it prints.
func child(args ...string) (string, *exec.Cmd) {
	self, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	cmd := exec.Command(self, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		log.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		log.Fatalf("%s: %v", args, err)
	}
	return strings.TrimSpace(line), cmd
}

// rssKB returns a process's resident set size in KiB (Linux).
func rssKB(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			kb, _ := strconv.Atoi(f[1])
			return kb
		}
	}
	return -1
}

type bench struct {
	client *http.Client
	// targets: the upstream itself, the relay, and a bare reverse proxy
	// (net/http/httputil) as the floor of what one more loopback hop
	// costs on this machine.
	targets [3]string
}

const (
	direct = iota
	relayed
	proxied
)

var chatBody = []byte(`{"model":"fixed","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say something about foxes and dogs, please."}],"temperature":0.2}`)

// call sends one chat request to base and returns its latency (to the
// last byte).
func (b *bench) call(base string, body []byte) (time.Duration, error) {
	start := time.Now()
	resp, err := b.client.Post(base+"/v1/chat/completions", "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return 0, fmt.Errorf("status %d", resp.StatusCode)
	}
	return time.Since(start), err
}

// rounds runs n+warmup interleaved rounds (one request to each target,
// in random order) over c workers and returns the measured latencies per
// target.
func (b *bench) rounds(c, n, warmup int, body []byte) [3][]time.Duration {
	var mu sync.Mutex
	var out [3][]time.Duration
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(n+warmup) {
					return
				}
				var got [3]time.Duration
				for _, k := range rand.Perm(3) {
					d, err := b.call(b.targets[k], body)
					if err != nil {
						log.Fatal(err)
					}
					got[k] = d
				}
				if i > int64(warmup) {
					mu.Lock()
					for k := range got {
						out[k] = append(out[k], got[k])
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// throughput runs c workers against base for d and returns requests/s.
func (b *bench) throughput(base string, c int, d time.Duration, body []byte) float64 {
	var done atomic.Int64
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				if _, err := b.call(base, body); err != nil {
					log.Fatal(err)
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(done.Load()) / d.Seconds()
}

// paced streams model "paced" from base and returns the time to the first
// content chunk and the gaps between chunks.
func (b *bench) paced(base string) (time.Duration, []time.Duration, error) {
	body := []byte(`{"model":"paced","stream":true,"messages":[{"role":"user","content":"count"}]}`)
	start := time.Now()
	resp, err := b.client.Post(base+"/v1/chat/completions", "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	var ttft time.Duration
	var gaps []time.Duration
	last := time.Time{}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			break
		}
		if !strings.Contains(line, `"content":"tok `) {
			continue
		}
		now := time.Now()
		if last.IsZero() {
			ttft = now.Sub(start)
		} else {
			gaps = append(gaps, now.Sub(last))
		}
		last = now
	}
	return ttft, gaps, nil
}

func pct(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond)) }

func runClient(levels []int, n, warmup, streams, chunks int, pace, window time.Duration, profile string) {
	upURL, up := child("-role", "upstream", "-chunks", strconv.Itoa(chunks), "-pace", pace.String())
	defer up.Process.Kill()
	args := []string{"-role", "relay", "-upstream", upURL + "/v1"}
	if profile != "" {
		args = append(args, "-relay-cpuprofile", profile)
	}
	relayURL, rl := child(args...)
	defer func() {
		_ = rl.Process.Signal(syscall.SIGTERM)
		_ = rl.Wait()
	}()
	proxyURL, px := child("-role", "proxy", "-upstream", upURL)
	defer px.Process.Kill()
	tr := &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute}
	b := &bench{client: &http.Client{Transport: tr}, targets: [3]string{upURL, relayURL, proxyURL}}
	for _, t := range b.targets {
		if _, err := b.call(t, chatBody); err != nil {
			log.Fatal(err)
		}
	}
	time.Sleep(200 * time.Millisecond)
	idle := rssKB(rl.Process.Pid)

	var peak atomic.Int64
	stopSampling := make(chan struct{})
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stopSampling:
				return
			case <-t.C:
				if kb := int64(rssKB(rl.Process.Pid)); kb > peak.Load() {
					peak.Store(kb)
				}
			}
		}
	}()

	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("relaybench: %d CPUs, load average %s; chat request %d B, answer %d B of text in 16 deltas\n",
		numCPU(), strings.Join(strings.Fields(string(load))[:3], " "), len(chatBody), len(answer))
	fmt.Println("\nnon-streamed chat, interleaved rounds (latency to the last byte, client side); added = relayed - direct")
	fmt.Println("  c     direct p50  relayed p50  added p50  | direct p99  relayed p99  added p99  | bare proxy added p50, p99")
	for _, c := range levels {
		l := b.rounds(c, n, warmup, chatBody)
		d, r, p := l[direct], l[relayed], l[proxied]
		fmt.Printf("  %-5d %-11s %-12s %-10s | %-11s %-12s %-10s | %s, %s\n", c,
			us(pct(d, .5)), us(pct(r, .5)), us(pct(r, .5)-pct(d, .5)), us(pct(d, .99)), us(pct(r, .99)), us(pct(r, .99)-pct(d, .99)),
			us(pct(p, .5)-pct(d, .5)), us(pct(p, .99)-pct(d, .99)))
	}

	c := levels[len(levels)-1]
	var rates [3]float64
	var relayCPU, upCPU time.Duration
	for i := 0; i < 3; i++ { // alternating windows
		for _, k := range []int{direct, relayed, proxied} {
			r0, u0 := cpuTime(rl.Process.Pid), cpuTime(up.Process.Pid)
			rates[k] += b.throughput(b.targets[k], c, window, chatBody)
			if k == relayed {
				relayCPU += cpuTime(rl.Process.Pid) - r0
				upCPU += cpuTime(up.Process.Pid) - u0
			}
		}
	}
	fmt.Printf("\nthroughput at c=%d: direct %.0f req/s, relayed %.0f req/s (%.2f×), bare proxy %.0f req/s (%.2f×)\n",
		c, rates[direct]/3, rates[relayed]/3, rates[relayed]/rates[direct], rates[proxied]/3, rates[proxied]/rates[direct])
	count := time.Duration(rates[relayed] * window.Seconds())
	fmt.Printf("CPU per relayed request: relay process %s, upstream process %s\n", us(relayCPU/count), us(upCPU/count))

	var ttft, gaps [3][]time.Duration
	for i := 0; i < streams; i++ {
		for _, k := range rand.Perm(3) {
			t, g, err := b.paced(b.targets[k])
			if err != nil {
				log.Fatal(err)
			}
			ttft[k], gaps[k] = append(ttft[k], t), append(gaps[k], g...)
		}
	}
	fmt.Printf("\npaced stream (%d deltas, %v apart; %d streams per target, interleaved)\n", chunks, pace, streams)
	for _, row := range []struct {
		name string
		v    [3][]time.Duration
		p    float64
	}{{"time to first token p50", ttft, .5}, {"time to first token p99", ttft, .99}, {"inter-chunk gap p99    ", gaps, .99}} {
		d, r, p := pct(row.v[direct], row.p), pct(row.v[relayed], row.p), pct(row.v[proxied], row.p)
		fmt.Printf("  %s: direct %s, relayed %s, added %s (bare proxy added %s)\n", row.name, us(d), us(r), us(r-d), us(p-d))
	}

	close(stopSampling)
	fmt.Printf("\nrelay RSS: idle %d KiB, peak under load %d KiB, after load %d KiB\n", idle, peak.Load(), rssKB(rl.Process.Pid))
}

// cpuTime returns the user and system CPU time a process has used (Linux).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond // USER_HZ 100
}

func numCPU() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return strings.Count(string(b), "processor\t:")
}
