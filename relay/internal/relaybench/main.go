// Command relaybench measures what package relay adds to a request: the
// latency of calling a loopback upstream through a relay, minus the latency
// of calling the same upstream directly, as the client sees it.
//
//	go run ./relay/internal/relaybench                     # the README's figures
//	go run ./relay/internal/relaybench -service 0 -c 1     # no service time
//	go run ./relay/internal/relaybench -pin                # relay and proxy on their own core
//
// Four processes: the upstream (an oaicompat handler whose backend answers
// after -service, as a model server would), the relay (relay.Headers
// around oaicompat.NewHandler around a Relay with that one upstream, as
// examples/relay serves it), a bare reverse proxy (net/http/httputil, no
// parsing: the floor of what one more net/http hop costs on the machine)
// and this client. The children are this binary run with -role.
//
// What the client-side figures include: everything between the client
// and the upstream that the direct call does not pay, i.e. a second
// loopback HTTP exchange (connection, request and response parsing and
// writing by net/http on both sides), the handler's decoding and
// validation, routing and health checks, the body rewrite, and the
// decoding and re-encoding of every chunk. They exclude nothing; they are
// not a self-reported timer.
//
// The relay's own time is reported apart, measured inside the relay
// process by a middleware around the relay's handler and a wrapper of its
// upstream transport: "to upstream" is from the request reaching the
// handler to the upstream request being handed to net/http's transport;
// "own" is the handler's whole wall time minus the time spent waiting on
// the upstream (inside RoundTrip and inside reads of the upstream body),
// so it adds the handling of every chunk and the writes to the client. It
// leaves out net/http's server work before the handler runs and after it
// returns (reading the request head, the last flush), which the
// client-side figures include.
//
// Method (after BerriAI/ai-gateway-bench, go-llmflow's gwbench and
// GetBusbar's "On the Bench"): for each concurrency level, -rounds rounds;
// in each round the three targets (direct, relayed, bare proxy) are run
// one after the other in a random order, each at exactly c requests in
// flight for -n/rounds requests, so machine drift falls on all three; the
// first -warmup rounds are discarded. Added latency is a percentile of the
// relayed calls minus the same percentile of the direct ones, pooled over
// the measured rounds (the spread of the per-round difference of medians
// is printed beside it as the noise). Throughput is requests over elapsed
// time per target, summed over the measured rounds; with a service time it
// is latency-bound, so a saturation lane with no service time measures the
// CPU cost (-saturate). Streams use a paced upstream (-chunks deltas,
// -pace apart) and report added time to first token and the added 99th
// percentile of the gaps between chunks. RSS is the relay process's VmRSS:
// idle, at its peak under load, and after.
package main

import (
	"flag"
	"fmt"
	"log"
	"strconv"
	"strings"
	"time"
)

func main() {
	role := flag.String("role", "client", "client, or upstream, relay or proxy (the child processes)")
	upstreamURL := flag.String("upstream", "", "relay and proxy roles: the upstream's URL")
	service := flag.Duration("service", 20*time.Millisecond, "the upstream's service time per request (before its answer; before the first chunk of a stream)")
	n := flag.Int("n", 12800, "requests per target at each concurrency level above 1, over all rounds (warm-up rounds included)")
	n1 := flag.Int("n1", 960, "requests per target at concurrency 1 (each takes the service time)")
	rounds := flag.Int("rounds", 8, "rounds per concurrency level")
	warmup := flag.Int("warmup", 1, "rounds discarded first")
	levels := flag.String("c", "1,64", "concurrency levels, comma-separated")
	saturate := flag.Bool("saturate", true, "also measure throughput with no service time at the highest level (CPU-bound)")
	streams := flag.Int("streams", 48, "paced streams per target")
	streamC := flag.Int("stream-c", 8, "paced streams in flight")
	chunks := flag.Int("chunks", 32, "deltas per paced stream")
	pace := flag.Duration("pace", 10*time.Millisecond, "gap between the deltas of a paced stream")
	pin := flag.Bool("pin", false, "pin the client and the upstream to CPU 0, the relay and the proxy to CPU 1 (needs taskset and 2+ CPUs)")
	profile := flag.String("relay-cpuprofile", "", "write a CPU profile of the relay process to this file")
	flag.Parse()
	switch *role {
	case "upstream":
		serve(upstreamHandler(*service, *chunks, *pace))
	case "proxy":
		serve(proxyHandler(*upstreamURL))
	case "relay":
		serveRelay(*upstreamURL, *profile)
	case "client":
		var cs []int
		for _, s := range strings.Split(*levels, ",") {
			c, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || c < 1 {
				log.Fatalf("bad -c %q", *levels)
			}
			cs = append(cs, c)
		}
		if *rounds <= *warmup || min(*n, *n1) < *rounds {
			log.Fatal("need -rounds > -warmup, -n and -n1 >= -rounds")
		}
		runClient(config{levels: cs, n: *n, n1: *n1, rounds: *rounds, warmup: *warmup, saturate: *saturate, service: *service,
			streams: *streams, streamC: *streamC, chunks: *chunks, pace: *pace, pin: *pin, profile: *profile})
	default:
		log.Fatalf("unknown -role %q", *role)
	}
}

// config is what the client role runs.
type config struct {
	levels                []int
	n, n1, rounds, warmup int
	saturate              bool
	service               time.Duration
	streams, streamC      int
	chunks                int
	pace                  time.Duration
	pin                   bool
	profile               string
}

func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond)) }
