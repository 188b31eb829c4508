// Command relay serves the OpenAI API in front of one or more
// OpenAI-compatible upstreams (vLLM, Ollama, LM Studio, OpenAI, Azure
// OpenAI, ...) with package relay: routing, retries, fallbacks and
// cooldowns, streams passed through as they arrive.
//
//	UPSTREAM_API_KEY=sk-... go run ./examples/relay -addr 127.0.0.1:8081 -upstream https://api.openai.com/v1
//	go run ./examples/relay -config examples/relay/relay.yaml
//
// With -upstream the key is read from the environment variable named by
// -key-env (UPSTREAM_API_KEY by default; none when it is unset). With
// -config, relay.yaml describes several upstreams, aliases, fallbacks and
// the retry and cooldown policy (see the commented example next to this
// file); keys are named by environment variable there too, never written
// in the file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/relay"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address host:port")
	upstream := flag.String("upstream", "", "base URL of the one upstream, with its version prefix (e.g. http://127.0.0.1:8000/v1)")
	keyEnv := flag.String("key-env", "UPSTREAM_API_KEY", "environment variable holding the upstream's API key (-upstream)")
	config := flag.String("config", "", "YAML file describing several upstreams (see relay.yaml)")
	verbose := flag.Bool("v", false, "log every attempt, successes too")
	flag.Parse()

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	cfg, err := load(*config, *upstream, *keyEnv)
	if err != nil {
		log.Fatal(err)
	}
	h, closeRelay, err := newHandler(cfg, logger)
	if err != nil {
		log.Fatal(err)
	}
	defer closeRelay()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	srv := oaicompat.NewServer("", h)
	fmt.Printf("relay: serving the OpenAI API at http://%s/v1 in front of %d upstream(s)\n", ln.Addr(), len(cfg.Upstreams))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// newHandler builds the relay and the handler serving it: the Headers
// middleware reports the upstream, attempts and overhead on every
// response; output checks are off because the upstream enforces
// response_format and strict tools itself.
func newHandler(cfg *Config, logger *slog.Logger) (http.Handler, func(), error) {
	ups, opts, err := cfg.relay()
	if err != nil {
		return nil, nil, err
	}
	r, err := relay.New(ups, append(opts, relay.WithLogger(logger))...)
	if err != nil {
		return nil, nil, err
	}
	h := oaicompat.NewHandler(r, oaicompat.WithAnyModel(), oaicompat.WithoutOutputChecks(), oaicompat.WithAzure(nil), oaicompat.WithLogger(logger))
	return relay.Headers(h), r.Close, nil
}
