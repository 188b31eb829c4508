package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The targets, in the order of bench.targets.
const (
	direct = iota
	relayed
	proxied
)

type bench struct {
	client  *http.Client
	targets [3]string
	relay   int // the relay's pid
	up      int // the upstream's pid
}

func chatBody(model string) []byte {
	return []byte(`{"model":"` + model + `","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say something about foxes and dogs, please."}],"temperature":0.2}`)
}

// call sends one chat request to base and returns its latency to the last
// byte of the answer.
func (b *bench) call(base string, body []byte) (time.Duration, error) {
	start := time.Now()
	resp, err := b.client.Post(base+"/v1/chat/completions", "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return 0, fmt.Errorf("%s: status %d", base, resp.StatusCode)
	}
	return time.Since(start), err
}

// run sends count requests to base, c at a time, and returns their
// latencies and the elapsed time.
func (b *bench) run(base string, c, count int, body []byte) ([]time.Duration, time.Duration) {
	lat := make([]time.Duration, count)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= count {
					return
				}
				d, err := b.call(base, body)
				if err != nil {
					log.Fatal(err)
				}
				lat[i] = d
			}
		}()
	}
	wg.Wait()
	return lat, time.Since(start)
}

// level is what the rounds of one concurrency level measured.
type level struct {
	lat      [3][]time.Duration
	elapsed  [3]time.Duration
	count    [3]int
	medians  []time.Duration // per measured round: relayed median - direct median
	relayCPU time.Duration   // relay process CPU over its measured windows
	upCPU    time.Duration   // upstream process CPU over the relayed windows
}

// rounds measures one concurrency level: rounds of the three targets in
// random order, each at c in flight, the warm-up rounds discarded.
func (b *bench) rounds(cfg config, c int, body []byte) *level {
	per := cfg.n / cfg.rounds
	if c == 1 {
		per = cfg.n1 / cfg.rounds
	}
	l := &level{}
	for r := 0; r < cfg.rounds; r++ {
		if r == cfg.warmup {
			b.ownStats(true)
		}
		var med [3]time.Duration
		for _, k := range rand.Perm(3) {
			r0, u0 := cpuTime(b.relay), cpuTime(b.up)
			lat, el := b.run(b.targets[k], c, per, body)
			if r < cfg.warmup {
				continue
			}
			if k == relayed {
				l.relayCPU += cpuTime(b.relay) - r0
				l.upCPU += cpuTime(b.up) - u0
			}
			l.lat[k] = append(l.lat[k], lat...)
			l.elapsed[k] += el
			l.count[k] += len(lat)
			med[k] = pct(lat, .5)
		}
		if r >= cfg.warmup {
			l.medians = append(l.medians, med[relayed]-med[direct])
		}
	}
	return l
}

func (l *level) rate(k int) float64 { return float64(l.count[k]) / l.elapsed[k].Seconds() }

// ownStats fetches the relay's own timings since the last call (and resets them).
func (b *bench) ownStats(reset bool) ownReport {
	u := b.targets[relayed] + "/stats"
	if reset {
		u += "?reset=1"
	}
	resp, err := b.client.Get(u)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var rep ownReport
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		log.Fatal(err)
	}
	return rep
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
	var last time.Time
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			break
		}
		if !bytes.Contains(line, []byte(`"content":"tok `)) {
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

// streamsRun runs cfg.streams paced streams per target, cfg.streamC at a
// time, each worker taking the three targets in a random order.
func (b *bench) streamsRun(cfg config) (ttft, gaps [3][]time.Duration) {
	var mu sync.Mutex
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < cfg.streamC; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(cfg.streams) {
				for _, k := range rand.Perm(3) {
					t, g, err := b.paced(b.targets[k])
					if err != nil {
						log.Fatal(err)
					}
					mu.Lock()
					ttft[k], gaps[k] = append(ttft[k], t), append(gaps[k], g...)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return ttft, gaps
}

func pct(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func mean(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	var t time.Duration
	for _, d := range ds {
		t += d
	}
	return t / time.Duration(len(ds))
}

func runClient(cfg config) {
	if cfg.pin {
		pinSelf(0)
	}
	upURL, up := child(cfg.pin, 0, "-role", "upstream", "-service", cfg.service.String(), "-chunks", strconv.Itoa(cfg.chunks), "-pace", cfg.pace.String())
	defer up.Process.Kill()
	args := []string{"-role", "relay", "-upstream", upURL + "/v1"}
	if cfg.profile != "" {
		args = append(args, "-relay-cpuprofile", cfg.profile)
	}
	relayURL, rl := child(cfg.pin, 1, args...)
	defer func() {
		_ = rl.Process.Signal(syscall.SIGTERM)
		_ = rl.Wait()
	}()
	proxyURL, px := child(cfg.pin, 1, "-role", "proxy", "-upstream", upURL)
	defer px.Process.Kill()
	tr := benchTransport()
	tr.ForceAttemptHTTP2 = false
	b := &bench{client: &http.Client{Transport: tr}, targets: [3]string{upURL, relayURL, proxyURL}, relay: rl.Process.Pid, up: up.Process.Pid}
	for _, t := range b.targets {
		if _, err := b.call(t, chatBody("instant")); err != nil {
			log.Fatal(err)
		}
	}
	time.Sleep(200 * time.Millisecond)
	idle := rssKB(b.relay)
	stop := samplePeak(b.relay)

	load, _ := os.ReadFile("/proc/loadavg")
	pinned := "not pinned"
	if cfg.pin {
		pinned = "client and upstream pinned to CPU 0, relay and proxy to CPU 1"
	}
	fmt.Printf("relaybench: %d CPUs, load average %s before; %s\n", numCPU(), strings.Join(strings.Fields(string(load))[:3], " "), pinned)
	fmt.Printf("upstream service time %v; chat request %d B, answer %d B of text (non-streamed); %d requests per target and level (%d at c=1) in %d rounds, %d discarded\n",
		cfg.service, len(chatBody("fixed")), len(answer), cfg.n, cfg.n1, cfg.rounds, cfg.warmup)

	fmt.Println("\nnon-streamed chat, latency to the last byte at the client; added = relayed (or proxied) minus direct, same percentile")
	fmt.Println("  c    direct p50/p99      relayed added p50 / p99  [round medians]   bare proxy added p50 / p99   throughput vs direct: relayed, proxy")

	for _, c := range cfg.levels {
		l := b.rounds(cfg, c, chatBody("fixed"))
		own := b.ownStats(true)
		d, r, p := l.lat[direct], l.lat[relayed], l.lat[proxied]
		fmt.Printf("  %-4d %s / %-9s  %s / %-9s [%s..%s]  %s / %-9s          %.2f×, %.2f× (direct %.0f req/s)\n", c,
			us(pct(d, .5)), us(pct(d, .99)), us(pct(r, .5)-pct(d, .5)), us(pct(r, .99)-pct(d, .99)),
			us(slices.Min(l.medians)), us(slices.Max(l.medians)), us(pct(p, .5)-pct(d, .5)), us(pct(p, .99)-pct(d, .99)),
			l.rate(relayed)/l.rate(direct), l.rate(proxied)/l.rate(direct), l.rate(direct))
		fmt.Printf("       relay's own time (%d requests): to upstream p50 %.0f µs, p99 %.0f µs; own p50 %.0f µs, p99 %.0f µs\n",
			own.Count, own.ToUpP50, own.ToUpP99, own.OwnP50, own.OwnP99)

	}

	if cfg.saturate {
		c := cfg.levels[len(cfg.levels)-1]
		l := b.rounds(cfg, c, chatBody("instant"))
		b.ownStats(true)
		fmt.Printf("\nsaturation (no service time, c=%d: CPU-bound on %d CPUs shared by client, upstream, relay and proxy)\n", c, numCPU())
		fmt.Printf("  throughput: direct %.0f req/s, relayed %.0f req/s (%.2f×), bare proxy %.0f req/s (%.2f×)\n",
			l.rate(direct), l.rate(relayed), l.rate(relayed)/l.rate(direct), l.rate(proxied), l.rate(proxied)/l.rate(direct))
		fmt.Printf("  CPU per relayed request (process CPU time over the relayed windows): relay process %s, upstream process %s\n",
			us(l.relayCPU/time.Duration(l.count[relayed])), us(l.upCPU/time.Duration(l.count[relayed])))
	}

	ttft, gaps := b.streamsRun(cfg)
	own := b.ownStats(true)
	fmt.Printf("\npaced stream (%v, then %d deltas %v apart; %d streams per target, %d in flight, interleaved)\n",
		cfg.service, cfg.chunks, cfg.pace, cfg.streams, cfg.streamC)
	for _, row := range []struct {
		name string
		v    [3][]time.Duration
		p    float64
	}{{"time to first token p50", ttft, .5}, {"time to first token p99", ttft, .99}, {"inter-chunk gap p50    ", gaps, .5}, {"inter-chunk gap p99    ", gaps, .99}} {
		d, r, p := pct(row.v[direct], row.p), pct(row.v[relayed], row.p), pct(row.v[proxied], row.p)
		fmt.Printf("  %s: direct %s, relayed added %s, bare proxy added %s\n", row.name, us(d), us(r-d), us(p-d))
	}
	fmt.Printf("  relay's own time per stream (%d): to upstream p50 %.0f µs; own (all %d chunks) p50 %.0f µs, p99 %.0f µs\n",
		own.Count, own.ToUpP50, cfg.chunks, own.OwnP50, own.OwnP99)

	peak := stop()
	fmt.Printf("\nrelay RSS: idle %d KiB, peak under load %d KiB, after load %d KiB\n", idle, peak, rssKB(b.relay))
}
