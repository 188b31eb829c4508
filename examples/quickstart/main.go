// Command quickstart serves the OpenAI API from a built-in deterministic
// demo backend, so that curl or any OpenAI SDK can talk to it at once:
//
//	go run ./examples/quickstart            # listens on 127.0.0.1:8080
//	go run ./examples/quickstart -addr :9000
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
	"strings"
	"time"

	"github.com/oaicompat/oaicompat"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address host:port")
	delay := flag.Duration("word-delay", 40*time.Millisecond, "pause between streamed words")
	flag.Parse()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	srv := &http.Server{Handler: newMux(base, *delay), ReadHeaderTimeout: 10 * time.Second}
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

// newMux mounts the OpenAI handler on /v1/ and the demo's image files on /images/.
func newMux(base string, delay time.Duration) *http.ServeMux {
	backend := newDemo(base, delay)
	mux := http.NewServeMux()
	mux.Handle("/v1/", oaicompat.NewHandler(backend))
	mux.HandleFunc("GET /images/{file}", func(w http.ResponseWriter, r *http.Request) {
		data, ok := backend.image(strings.TrimSuffix(r.PathValue("file"), ".png"))
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(data)
	})
	return mux
}

func banner(base string) string {
	return strings.ReplaceAll(`oaicompat quickstart: serving the OpenAI API at BASE/v1
models: demo-chat, demo-embed, demo-image

Try:
  curl BASE/v1/chat/completions -H 'Content-Type: application/json' \
    -d '{"model":"demo-chat","messages":[{"role":"user","content":"What is 2+2?"}]}'
  curl -N BASE/v1/chat/completions -H 'Content-Type: application/json' \
    -d '{"model":"demo-chat","stream":true,"messages":[{"role":"user","content":"What is 6*7?"}]}'
  curl BASE/v1/embeddings -H 'Content-Type: application/json' \
    -d '{"model":"demo-embed","input":"hello world","dimensions":8}'
  curl BASE/v1/images/generations -H 'Content-Type: application/json' \
    -d '{"model":"demo-image","prompt":"a red square","size":"64x64"}'
  curl BASE/v1/models

Any OpenAI SDK: base URL BASE/v1, any API key, e.g.
  OPENAI_BASE_URL=BASE/v1 OPENAI_API_KEY=demo python -c \
    "from openai import OpenAI; print(OpenAI().chat.completions.create(model='demo-chat', messages=[{'role':'user','content':'What is 2+2?'}]).choices[0].message.content)"
`, "BASE", base)
}
