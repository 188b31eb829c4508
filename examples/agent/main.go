// Command agent is a small service that answers weather questions with an
// LLM agent loop (openai-go, one tool). It is the example of testing such a
// service with oaitest: see agent_test.go.
//
//	OPENAI_API_KEY=... go run ./examples/agent &
//	curl -s localhost:8090/ask -d '{"question":"Weather in Paris?"}'
//
// OPENAI_BASE_URL points it at any OpenAI-compatible server, for example
// go run ./cmd/oaimock.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"

	"github.com/oaicompat/oaicompat"
	"github.com/openai/openai-go/v3"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "listen address")
	model := flag.String("model", "gpt-4o-mini", "model")
	flag.Parse()
	client := openai.NewClient() // reads OPENAI_API_KEY and OPENAI_BASE_URL
	srv := oaicompat.NewServer(*addr, newService(&client, *model))
	log.Printf("agent listening on http://%s/ask", *addr)
	log.Fatal(srv.ListenAndServe())
}

// newService returns the service's handler: POST /ask {"question": ...}
// answers {"answer": ...}.
func newService(client *openai.Client, model string) http.Handler {
	agent := &Agent{client: client, model: model, maxTurns: 4, weather: fakeWeather}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /ask", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Question string `json:"question"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Question == "" {
			http.Error(w, `{"error":"want {\"question\": \"...\"}"}`, http.StatusBadRequest)
			return
		}
		answer, err := agent.Ask(r.Context(), req.Question)
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"answer": answer})
	})
	return mux
}

// fakeWeather stands in for a weather API.
func fakeWeather(_ context.Context, city string) (string, error) {
	return fmt.Sprintf("%s: 18°C, cloudy", city), nil
}
