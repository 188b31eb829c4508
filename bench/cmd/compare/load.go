package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// scenario is one kind of load request.
type scenario struct {
	name   string
	stream bool
}

var scenarios = []scenario{{"non-stream", false}, {"stream", true}}

// sample is one wrk run against one server.
type sample struct {
	rps       float64
	cpuPerReq float64 // µs
	sysPerReq float64 // µs, in the kernel
	writes    float64 // write system calls per request
}

// loadRounds runs every scenario against every server, rounds times, the
// order of the servers rotating each round, and prints the medians.
func loadRounds(cfg config, servers []*server) error {
	dir, err := os.MkdirTemp("", "compare")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	scripts := map[string]string{}
	for _, sc := range scenarios {
		body := requestBody(sc.stream, "")
		script := fmt.Sprintf("wrk.method = \"POST\"\nwrk.body = [==[%s]==]\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.headers[\"Authorization\"] = \"Bearer %s\"\n", body, apiKey)
		scripts[sc.name] = filepath.Join(dir, sc.name+".lua")
		if err := os.WriteFile(scripts[sc.name], []byte(script), 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("request: %d bytes (non-stream), %d bytes (stream); reply: %d words\n",
		len(requestBody(false, "")), len(requestBody(true, "")), len(reply))
	// Warm-up: one short run of each.
	for _, s := range servers {
		for _, sc := range scenarios {
			if _, err := measure(cfg, s, sc, scripts[sc.name], "1s"); err != nil {
				return err
			}
		}
	}
	results := map[string]map[string][]sample{} // scenario → kind → rounds
	for _, sc := range scenarios {
		results[sc.name] = map[string][]sample{}
	}
	for r := range cfg.rounds {
		for _, sc := range scenarios {
			for i := range servers {
				s := servers[(i+r)%len(servers)]
				var prof chan error
				if cfg.profile != "" && r == cfg.rounds-1 {
					prof = make(chan error, 1)
					go func() {
						secs := max(1, int(cfg.duration.Seconds())-1)
						prof <- s.save(fmt.Sprintf("profile?seconds=%d", secs), filepath.Join(cfg.profile, "cpu-"+sc.name+"-"+s.kind+".pb.gz"))
					}()
				}
				smp, err := measure(cfg, s, sc, scripts[sc.name], fmt.Sprintf("%.0fs", cfg.duration.Seconds()))
				if prof != nil {
					if perr := <-prof; err == nil {
						err = perr
					}
					if err == nil {
						err = s.save("allocs", filepath.Join(cfg.profile, "allocs-"+sc.name+"-"+s.kind+".pb.gz"))
					}
				}
				if err != nil {
					return err
				}
				results[sc.name][s.kind] = append(results[sc.name][s.kind], smp)
			}
		}
		fmt.Fprintf(os.Stderr, "round %d/%d done\n", r+1, cfg.rounds)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "server\tnon-stream req/s\tCPU µs/req\tratio\tstream req/s\tCPU µs/req\tratio\t")
	for _, s := range servers {
		fmt.Fprintf(tw, "%s\t", s.kind)
		for _, sc := range scenarios {
			own, ref := results[sc.name][s.kind], results[sc.name][kindReference]
			var rps, cpu, ratio []float64
			for i := range own {
				rps = append(rps, own[i].rps)
				cpu = append(cpu, own[i].cpuPerReq)
				ratio = append(ratio, own[i].cpuPerReq/ref[i].cpuPerReq)
			}
			fmt.Fprintf(tw, "%.1f k\t%.1f\t%.2fx\t", median(rps)/1000, median(cpu), median(ratio))
		}
		fmt.Fprintln(tw)
	}
	fmt.Println("medians over the rounds; ratio: CPU per request over the reference's in the same round")
	if err := tw.Flush(); err != nil {
		return err
	}
	// Where the CPU goes: the server's own code runs in user time, the
	// kernel's socket work in system time; a server at a lower rate pays
	// more system time per write.
	fmt.Println("\nCPU per request in user and system time, and write system calls per request (medians):")
	fmt.Fprintln(tw, "server\tnon-stream user µs\tsystem µs\twrites\tstream user µs\tsystem µs\twrites\t")
	for _, s := range servers {
		fmt.Fprintf(tw, "%s\t", s.kind)
		for _, sc := range scenarios {
			var user, sys, writes []float64
			for _, x := range results[sc.name][s.kind] {
				user = append(user, x.cpuPerReq-x.sysPerReq)
				sys = append(sys, x.sysPerReq)
				writes = append(writes, x.writes)
			}
			fmt.Fprintf(tw, "%.1f\t%.1f\t%.1f\t", median(user), median(sys), median(writes))
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

var (
	reRequests = regexp.MustCompile(`(\d+) requests in`)
	reRPS      = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	reNon2xx   = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	reErrors   = regexp.MustCompile(`Socket errors: .*`)
)

// measure runs wrk against s and reads the server's CPU time around it.
func measure(cfg config, s *server, sc scenario, script, duration string) (sample, error) {
	url := s.url
	if sc.stream {
		url += "?stream" // the reference server does not read the body
	}
	before, err := s.stats(false)
	if err != nil {
		return sample{}, err
	}
	out, err := exec.Command("taskset", "-c", cfg.clientCPU, "wrk", "-t1", fmt.Sprintf("-c%d", cfg.conns),
		"-d"+duration, "-s", script, url).CombinedOutput()
	if err != nil {
		return sample{}, fmt.Errorf("wrk: %v: %s", err, out)
	}
	after, err := s.stats(false)
	if err != nil {
		return sample{}, err
	}
	if m := reNon2xx.FindSubmatch(out); m != nil {
		return sample{}, fmt.Errorf("%s %s: %s non-2xx responses", s.kind, sc.name, m[1])
	}
	if m := reErrors.Find(out); m != nil && !strings.Contains(string(m), "connect 0, read 0, write 0, timeout 0") {
		return sample{}, fmt.Errorf("%s %s: %s", s.kind, sc.name, m)
	}
	m1, m2 := reRequests.FindSubmatch(out), reRPS.FindSubmatch(out)
	if m1 == nil || m2 == nil {
		return sample{}, fmt.Errorf("unexpected wrk output: %s", out)
	}
	n, _ := strconv.ParseFloat(string(m1[1]), 64)
	rps, _ := strconv.ParseFloat(string(m2[1]), 64)
	if n == 0 {
		return sample{}, fmt.Errorf("%s %s: no requests", s.kind, sc.name)
	}
	return sample{rps: rps, cpuPerReq: float64(after.CPUMicros-before.CPUMicros) / n,
		sysPerReq: float64(after.SysMicros-before.SysMicros) / n, writes: float64(after.Writes-before.Writes) / n}, nil
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}
