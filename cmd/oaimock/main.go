// Command oaimock is a standalone mock of the OpenAI API for tests in any
// language, on the same engine as the Go package oaitest: the bytes it
// sends are those of the production oaicompat handler.
//
//	go run ./cmd/oaimock -addr 127.0.0.1:4010 -config scenario.yaml
//	go run ./cmd/oaimock -tape testdata/chat.oaitape.json   # replay a tape recorded with oaitest.NewRecorder
//	go install github.com/oaicompat/oaicompat/cmd/oaimock@latest
//
// Point any OpenAI SDK at http://127.0.0.1:4010/v1. The scenario file
// (YAML or JSON; see scenario.example.yaml) sets the rules, replies,
// pacing, faults and tapes to replay. A control API lets a test in another
// language drive the mock while it runs; `oaimock -h` documents every
// route, its body and its answer:
//
//	GET  /__oaimock/journal    every request received: {"object":"list","data":[...]}
//	GET  /__oaimock/failures   strict-mode violations, unmatched requests, unmet rules
//	GET  /__oaimock/rules      the rules in the order they are tried
//	POST /__oaimock/rules      add rules (first by default, so they override the scenario's): {"ok":true,...}
//	POST /__oaimock/reset      forget the journal, failures and added rules; reload the scenario
//
// Failures are also logged to standard error as they happen.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/oaicompat/oaicompat"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:4010", "address to listen on")
	config := flag.String("config", "", "scenario file (YAML or JSON); without one, and for requests no rule matches, the answer is automatic")
	var tapes tapeFlags
	flag.Var(&tapes, "tape", "tape file (JSON or YAML) to replay before the rules (repeatable)")
	flag.Usage = usage
	flag.Parse()
	logger := log.New(os.Stderr, "oaimock: ", log.LstdFlags)
	if err := run(*addr, *config, tapes, logger); err != nil {
		logger.Fatal(err)
	}
}

func usage() {
	out := flag.CommandLine.Output()
	fmt.Fprint(out, `oaimock serves a mock of the OpenAI API at http://ADDR/v1 for tests in any language.

Usage: oaimock [-addr host:port] [-config scenario.yaml] [-tape file]...

`)
	flag.PrintDefaults()
	fmt.Fprint(out, "\n"+controlDoc)
}

type tapeFlags []string

func (t *tapeFlags) String() string     { return fmt.Sprint(*t) }
func (t *tapeFlags) Set(v string) error { *t = append(*t, v); return nil }

func run(addr, config string, tapes []string, logger *log.Logger) error {
	srv, err := newServer(config, tapes, logger.Printf)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := oaicompat.NewServer("", srv)
	logger.Printf("serving the OpenAI API at http://%s/v1 (control API under /__oaimock/)", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	srv.close()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
