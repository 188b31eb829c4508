// Command rules-engine serves the OpenAI API from a backend with no model:
// a rules engine that answers through typed tools (a unit converter and an
// order-status lookup, declared as Go structs) and replies with structured
// JSON when asked. The handler guarantees the shapes: tool arguments match
// the tools' strict schemas and replies match the requested json_schema,
// or the client gets an error.
//
//	go run ./examples/rules-engine            # listens on 127.0.0.1:8080
//	go run ./examples/rules-engine -addr :9000
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/oaicompat/oaicompat"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address host:port")
	flag.Parse()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	srv := &http.Server{Handler: newHandler(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Print(banner(base))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

const model = "rules-engine"

func newHandler() http.Handler {
	return oaicompat.NewHandler(engine{}, oaicompat.WithModels(oaicompat.Model{ID: model, Object: "model", OwnedBy: "oaicompat"}))
}

func banner(base string) string {
	tools, _ := json.Marshal(Tools)
	format, _ := json.Marshal(AnswerFormat)
	return strings.NewReplacer("BASE", base, "TOOLS", string(tools), "FORMAT", string(format)).Replace(`oaicompat rules engine: serving the OpenAI API at BASE/v1 (model "rules-engine")

Try:
  curl BASE/v1/chat/completions -H 'Content-Type: application/json' -d '{"model":"rules-engine",
    "messages":[{"role":"user","content":"Convert 10 km to mi and where is order AB-1234?"}],
    "tools":TOOLS}'
  curl BASE/v1/chat/completions -H 'Content-Type: application/json' -d '{"model":"rules-engine",
    "messages":[{"role":"user","content":"Convert 10 km to mi"}],
    "response_format":FORMAT}'
`)
}
