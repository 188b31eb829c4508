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
	srv := oaicompat.NewServer("", newMux(base, *delay))
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
	// One handler serves every dialect: /v1/... (chat, Responses with the
	// default in-memory store, legacy completions, embeddings, images,
	// models, Anthropic Messages) and the Azure OpenAI shapes under
	// /openai/, where a deployment name is one of the demo's model ids.
	h := oaicompat.NewHandler(backend, oaicompat.WithAzure(demoDeployment))
	mux.Handle("/v1/", h)
	mux.Handle("/openai/", h)
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

// demoDeployment maps an Azure deployment name to a model: the demo's
// deployments are named after its models.
func demoDeployment(deployment string) string {
	switch deployment {
	case chatModel, embedModel, imageModel:
		return deployment
	}
	return ""
}

func banner(base string) string {
	return strings.ReplaceAll(`oaicompat quickstart: serving the OpenAI API at {base}/v1 (and Azure's at {base}/openai)
models: demo-chat, demo-embed, demo-image

Try:
  curl {base}/v1/chat/completions -H 'Content-Type: application/json' \
    -d '{"model":"demo-chat","messages":[{"role":"user","content":"What is 2+2?"}]}'
  curl -N {base}/v1/chat/completions -H 'Content-Type: application/json' \
    -d '{"model":"demo-chat","stream":true,"messages":[{"role":"user","content":"What is 6*7?"}]}'
  curl {base}/v1/chat/completions -H 'Content-Type: application/json' \
    -d '{"model":"demo-chat","messages":[{"role":"user","content":"What is the weather in Paris?"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]}'
  curl {base}/v1/embeddings -H 'Content-Type: application/json' \
    -d '{"model":"demo-embed","input":"hello world","dimensions":8}'
  curl {base}/v1/images/generations -H 'Content-Type: application/json' \
    -d '{"model":"demo-image","prompt":"a red square","size":"64x64"}'
  curl {base}/v1/models

The Responses API (kept in memory for an hour: GET/DELETE {base}/v1/responses/{id}):
  curl {base}/v1/responses -H 'Content-Type: application/json' \
    -d '{"model":"demo-chat","input":"What is 3*5?"}'
  curl -N {base}/v1/responses -H 'Content-Type: application/json' \
    -d '{"model":"demo-chat","stream":true,"input":"What is 10/4?"}'

Legacy completions:
  curl {base}/v1/completions -H 'Content-Type: application/json' \
    -d '{"model":"demo-chat","prompt":"What is 7-9?","echo":true}'

Azure OpenAI URL shapes (deployment = model id, any api-version, any api-key):
  curl '{base}/openai/deployments/demo-chat/chat/completions?api-version=2024-10-21' \
    -H 'api-key: demo' -H 'Content-Type: application/json' \
    -d '{"messages":[{"role":"user","content":"What is 2+2?"}]}'

Any OpenAI SDK: base URL {base}/v1, any API key, e.g.
  OPENAI_BASE_URL={base}/v1 OPENAI_API_KEY=demo python -c \
    "from openai import OpenAI; print(OpenAI().chat.completions.create(model='demo-chat', messages=[{'role':'user','content':'What is 2+2?'}]).choices[0].message.content)"

Anthropic Messages (a thinking block, then the answer; Claude Code: ANTHROPIC_BASE_URL={base}):
  curl {base}/v1/messages -H 'Content-Type: application/json' -H 'anthropic-version: 2023-06-01' \
    -d '{"model":"demo-chat","max_tokens":200,"messages":[{"role":"user","content":"Think step by step: What is 6*7?"}]}'

Any Anthropic SDK: base URL {base}, any API key, e.g.
  ANTHROPIC_BASE_URL={base} ANTHROPIC_API_KEY=demo python -c \
    "import anthropic; print(anthropic.Anthropic().messages.create(model='demo-chat', max_tokens=200, messages=[{'role':'user','content':'What is 2+2?'}]).content[0].text)"
`, "{base}", base)
}
