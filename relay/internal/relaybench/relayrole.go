package main

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/relay"
)

// serveRelay serves the relay as examples/relay does, with the timing
// middleware and transport around it, and the timings at /stats.
func serveRelay(upstream, profile string) {
	if profile != "" {
		f, err := os.Create(profile)
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
	st := &ownStats{}
	r, err := relay.New([]relay.Upstream{{Name: "bench", BaseURL: upstream, MaxConcurrent: 1024, Transport: timedTransport{benchTransport()}}},
		relay.WithLogger(quiet()))
	if err != nil {
		log.Fatal(err)
	}
	h := relay.Headers(oaicompat.NewHandler(r, oaicompat.WithAnyModel(), oaicompat.WithoutOutputChecks(), oaicompat.WithLogger(quiet())))
	mux := http.NewServeMux()
	mux.Handle("/v1/", st.wrap(h))
	mux.HandleFunc("/stats", st.serve)
	serve(mux)
}

// ownTime is the relay's own time in one request: its handler's wall time
// minus the time spent waiting on the upstream.
type ownTime struct {
	start    time.Time
	toUp     time.Duration // start to the upstream request handed to the transport
	waiting  time.Duration // inside RoundTrip and upstream body reads
	attempts int
}

type ownKey struct{}

// ownStats collects the ownTime of every request.
type ownStats struct {
	mu        sync.Mutex
	toUp, own []time.Duration
}

func (s *ownStats) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ot := &ownTime{start: time.Now()}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ownKey{}, ot)))
		own := time.Since(ot.start) - ot.waiting
		if ot.attempts != 1 {
			return // not a plain relayed request
		}
		s.mu.Lock()
		s.toUp, s.own = append(s.toUp, ot.toUp), append(s.own, own)
		s.mu.Unlock()
	})
}

// ownReport is what /stats answers: percentiles in microseconds.
type ownReport struct {
	Count                  int
	ToUpP50, ToUpP99       float64
	OwnP50, OwnP99, OwnAvg float64
}

// serve answers the percentiles of the requests since the last reset
// (?reset=1 resets).
func (s *ownStats) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	toUp, own := slices.Clone(s.toUp), slices.Clone(s.own)
	if r.URL.Query().Get("reset") != "" {
		s.toUp, s.own = s.toUp[:0], s.own[:0]
	}
	s.mu.Unlock()
	rep := ownReport{Count: len(own), ToUpP50: usf(pct(toUp, .5)), ToUpP99: usf(pct(toUp, .99)),
		OwnP50: usf(pct(own, .5)), OwnP99: usf(pct(own, .99)), OwnAvg: usf(mean(own))}
	_ = json.NewEncoder(w).Encode(rep)
}

func usf(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// timedTransport records, in the request's ownTime, when the relay hands
// the upstream request over and how long it then waits: in RoundTrip, and
// in every read of the response body.
type timedTransport struct{ rt http.RoundTripper }

func (t timedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ot, _ := req.Context().Value(ownKey{}).(*ownTime)
	if ot == nil {
		return t.rt.RoundTrip(req)
	}
	start := time.Now()
	ot.attempts++
	ot.toUp = start.Sub(ot.start)
	resp, err := t.rt.RoundTrip(req)
	ot.waiting += time.Since(start)
	if err == nil {
		resp.Body = &timedBody{ReadCloser: resp.Body, ot: ot}
	}
	return resp, err
}

type timedBody struct {
	io.ReadCloser
	ot *ownTime
}

func (b *timedBody) Read(p []byte) (int, error) {
	start := time.Now()
	n, err := b.ReadCloser.Read(p)
	b.ot.waiting += time.Since(start)
	return n, err
}
