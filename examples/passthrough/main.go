// Command passthrough puts the OpenAI API in front of an existing
// http.Handler, as a middleware: requests under /v1/ are served by
// oaicompat, every other request reaches the existing handler untouched
// (same *http.Request: no path cleaning, no redirects):
//
//	go run ./examples/passthrough
//	curl localhost:8080/anything            # the existing handler
//	curl localhost:8080/v1/chat/completions \
//	  -d '{"model":"any","messages":[{"role":"user","content":"hi"}]}'
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"strings"

	"github.com/oaicompat/oaicompat"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	handler := withOpenAI(oaicompat.NewHandler(reply))(existing)
	srv := oaicompat.NewServer(*addr, handler)
	log.Printf("OpenAI API at http://%s/v1, everything else passes through", *addr)
	log.Fatal(srv.ListenAndServe())
}

// withOpenAI returns middleware that serves api's routes, under /v1/, and
// hands every other request to next as it came.
func withOpenAI(api http.Handler) func(next http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/v1/") {
				api.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// existing stands for the handler that was there before: it reports the
// request exactly as it received it.
var existing = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Legacy", "1")
	fmt.Fprintf(w, "existing handler: %s %s", r.Method, r.RequestURI)
})

// reply is the example's backend.
var reply = oaicompat.ChatFunc(func(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	return w.WriteText("passthrough says: " + req.LastUserMessage())
})
