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
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"strings"

	"github.com/oaicompat/oaicompat"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address host:port")
	flag.Parse()
	fmt.Print(banner("http://" + *addr))
	log.Fatal(oaicompat.NewServer(*addr, newHandler()).ListenAndServe())
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
