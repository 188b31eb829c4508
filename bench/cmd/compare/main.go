// Command compare measures the oaicompat handler side by side with a plain
// net/http server writing the same bytes, a hand-rolled go-openai server and
// the handler behind the production middleware chain. Each server runs in a
// process of its own pinned to one core (taskset), wrk on another; the
// servers take turns in rotating order over several rounds. It prints
// requests/s, the server's CPU time per request (its own getrusage, not
// wall time) and the ratios to the reference (medians over the rounds),
// then the memory and goroutines of N held streams and the time from a
// client abort to the backend's context being canceled.
//
// Usage (bench/run.sh builds it and installs wrk when missing):
//
//	compare [-rounds 4] [-duration 5s] [-conns 16] [-held 10000] [-aborts 20]
//	compare serve -kind reference|go-openai|handler|chain -addr A -stats B
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		fs := flag.NewFlagSet("serve", flag.ExitOnError)
		kind := fs.String("kind", kindHandler, "server: "+strings.Join(kinds, ", "))
		addr := fs.String("addr", "127.0.0.1:18300", "listen address")
		statsAddr := fs.String("stats", "127.0.0.1:18301", "address of the stats endpoint")
		_ = fs.Parse(os.Args[2:])
		if err := serve(*kind, *addr, *statsAddr); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	var cfg config
	flag.IntVar(&cfg.rounds, "rounds", 4, "rounds; the order of the servers rotates each round")
	flag.DurationVar(&cfg.duration, "duration", 5*time.Second, "wrk run per server, scenario and round")
	flag.IntVar(&cfg.conns, "conns", 16, "wrk connections")
	flag.IntVar(&cfg.held, "held", 10000, "held streams (0: skip)")
	flag.IntVar(&cfg.aborts, "aborts", 20, "client aborts timed (0: skip)")
	flag.StringVar(&cfg.serverCPU, "server-cpu", "1", "core the servers are pinned to")
	flag.StringVar(&cfg.clientCPU, "client-cpu", "0", "core wrk is pinned to")
	flag.IntVar(&cfg.port, "port", 18300, "first port (two per server)")
	flag.StringVar(&cfg.profile, "profile", "", "directory to save pprof profiles to: CPU and allocations of each server in the last round, heap with the streams held")
	flag.Parse()
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

type config struct {
	rounds, conns, held, aborts, port int
	duration                          time.Duration
	serverCPU, clientCPU, profile     string
}

// server is one running server process.
type server struct {
	kind     string
	url      string // of the API
	statsURL string
	cmd      *exec.Cmd
}

func (s *server) stats(gc bool) (stats, error) {
	u := s.statsURL
	if gc {
		u += "/gc"
	}
	resp, err := http.Get(u)
	if err != nil {
		return stats{}, err
	}
	defer resp.Body.Close()
	var st stats
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// save fetches the pprof profile named by query (e.g. "heap?gc=1") from
// the server into file.
func (s *server) save(query, file string) error {
	resp, err := http.Get(s.statsURL + "/debug/pprof/" + query)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func startServers(cfg config) ([]*server, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	var servers []*server
	for i, k := range kinds {
		addr := fmt.Sprintf("127.0.0.1:%d", cfg.port+2*i)
		statsAddr := fmt.Sprintf("127.0.0.1:%d", cfg.port+2*i+1)
		cmd := exec.Command("taskset", "-c", cfg.serverCPU, self, "serve", "-kind", k, "-addr", addr, "-stats", statsAddr)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			return servers, err
		}
		s := &server{kind: k, url: "http://" + addr + "/v1/chat/completions", statsURL: "http://" + statsAddr, cmd: cmd}
		servers = append(servers, s)
		ready := false
		for range 100 {
			if _, err := s.stats(false); err == nil {
				ready = true
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if !ready {
			return servers, fmt.Errorf("%s did not start", k)
		}
	}
	return servers, nil
}

func stopServers(servers []*server) {
	for _, s := range servers {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func run(cfg config) error {
	fmt.Printf("compare: %s, %d CPUs, servers on core %s, wrk -t1 -c%d on core %s, %d rounds of %s, load average %s\n",
		runtime.Version(), runtime.NumCPU(), cfg.serverCPU, cfg.conns, cfg.clientCPU, cfg.rounds, cfg.duration, loadavg())
	servers, err := startServers(cfg)
	defer stopServers(servers)
	if err != nil {
		return err
	}
	if cfg.rounds > 0 {
		if err := loadRounds(cfg, servers); err != nil {
			return err
		}
	}
	byKind := map[string]*server{}
	for _, s := range servers {
		byKind[s.kind] = s
	}
	if cfg.held > 0 {
		if err := heldStreams(cfg, []*server{byKind[kindReference], byKind[kindHandler]}); err != nil {
			return err
		}
	}
	if cfg.aborts > 0 {
		if err := abortLatency(cfg, []*server{byKind[kindReference], byKind[kindHandler]}); err != nil {
			return err
		}
	}
	fmt.Printf("load average at the end: %s\n", loadavg())
	return nil
}
