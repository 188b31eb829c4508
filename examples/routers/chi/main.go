// Command chi shows an existing chi application gaining the OpenAI API at
// /llm/v1 beside its own routes: chi mounts any http.Handler, and the
// oaicompat.Handler finds its prefix in the request path, so Mount (or a
// Mount inside Route) is all it takes, with no WithBasePath:
//
//	go run ./examples/routers/chi
//	curl localhost:8080/llm/v1/chat/completions \
//	  -d '{"model":"any","messages":[{"role":"user","content":"hi"}]}'
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/oaicompat/oaicompat"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	srv := oaicompat.NewServer(*addr, newApp(reply))
	log.Printf("OpenAI API at http://%s/llm/v1", *addr)
	log.Fatal(srv.ListenAndServe())
}

// existingApp stands for the application as it was before the OpenAI API.
func existingApp() chi.Router {
	r := chi.NewRouter()
	r.Use(middleware.Recoverer)
	r.Get("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "welcome to the shop") })
	r.Get("/products/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "product %s", chi.URLParam(r, "id"))
	})
	return r
}

// newApp adds the OpenAI API at /llm/v1: one line.
func newApp(backend oaicompat.Backend) chi.Router {
	r := existingApp()
	r.Mount("/llm/v1", oaicompat.NewHandler(backend))
	return r
}

// newRoutedApp does the same inside a chi Route, beside other /llm routes.
func newRoutedApp(backend oaicompat.Backend) chi.Router {
	r := existingApp()
	r.Route("/llm", func(r chi.Router) {
		r.Get("/status", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "all models up") })
		r.Mount("/v1", oaicompat.NewHandler(backend))
	})
	return r
}

// reply is the example's backend.
var reply = oaicompat.ChatFunc(func(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	return w.WriteText("chi says: " + req.LastUserMessage())
})
