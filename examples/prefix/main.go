// Command prefix serves the OpenAI API under a custom prefix, /llm/v1, with
// plain net/http, beside the application's own routes:
//
//	go run ./examples/prefix
//	curl localhost:8080/llm/v1/chat/completions \
//	  -d '{"model":"any","messages":[{"role":"user","content":"hi"}]}'
//
// OpenAI clients take http://localhost:8080/llm/v1 as their base URL.
package main

import (
	"context"
	"flag"
	"log"
	"net/http"

	"github.com/oaicompat/oaicompat"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	srv := oaicompat.NewServer(*addr, newMux(reply))
	log.Printf("OpenAI API at http://%s/llm/v1", *addr)
	log.Fatal(srv.ListenAndServe())
}

// existingMux stands for the application as it was before the OpenAI API.
func existingMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("welcome"))
	})
	mux.HandleFunc("GET /llm/status", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("all models up"))
	})
	return mux
}

// newMux adds the OpenAI API under /llm/v1. The handler finds its prefix in
// the request path (with or without http.StripPrefix), so no option repeats
// it; unknown URLs under the prefix are answered in OpenAI's envelope,
// naming where the API is.
func newMux(backend oaicompat.Backend) *http.ServeMux {
	mux := existingMux()
	mux.Handle("/llm/v1/", oaicompat.NewHandler(backend))
	return mux
}

// reply is the example's backend.
var reply = oaicompat.ChatFunc(func(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	return w.WriteText("prefix says: " + req.LastUserMessage())
})
