package relay_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/relay"
)

// startUpstream starts an OpenAI-compatible server answering text, as a
// vLLM or Ollama would, and returns its base URL.
func startUpstream(text string) (url string, stop func()) {
	srv := httptest.NewServer(oaicompat.NewHandler(oaicompat.ChatFunc(
		func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
			return w.WriteText(text + " (" + req.Model + ")")
		})))
	return srv.URL + "/v1", srv.Close
}

// A relay in front of two upstreams: the local one first, the hosted one
// when the local one fails or cools down. The Headers middleware lets the
// relay name the upstream that answered.
func Example() {
	local, stop := startUpstream("local answer")
	defer stop()
	hosted, stop2 := startUpstream("hosted answer")
	defer stop2()

	r, err := relay.New([]relay.Upstream{
		{Name: "local", BaseURL: local, Models: map[string]string{"llama": "meta-llama/Llama-3.1-8B-Instruct"}},
		{Name: "hosted", BaseURL: hosted, Keys: []string{"sk-hosted"}, Priority: 1},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	srv := httptest.NewServer(relay.Headers(oaicompat.NewHandler(r, oaicompat.WithAnyModel(), oaicompat.WithoutOutputChecks())))
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"llama","messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Header.Get(relay.HeaderUpstream), resp.Header.Get(relay.HeaderAttempts))
	fmt.Println(strings.Contains(string(body), "local answer (meta-llama/Llama-3.1-8B-Instruct)"))
	// Output:
	// local 1
	// true
}

// Aliases name models for clients, patterns map families of names, and
// fallbacks move to another model when every upstream of the first failed.
func ExampleWithFallbacks() {
	up, stop := startUpstream("answer")
	defer stop()
	r, err := relay.New([]relay.Upstream{{
		Name:    "vllm",
		BaseURL: up,
		Models: map[string]string{
			"qwen-*": "Qwen/Qwen2.5-*-Instruct", // qwen-7b → Qwen/Qwen2.5-7b-Instruct
			"small":  "Qwen/Qwen2.5-0.5B-Instruct",
		},
	}},
		relay.WithAliases(map[string]string{"gpt-4o-mini": "qwen-7b"}),
		relay.WithFallbacks(map[string][]string{"qwen-7b": {"small"}}),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	srv := httptest.NewServer(oaicompat.NewHandler(r, oaicompat.WithAnyModel()))
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(strings.Contains(string(body), "answer (Qwen/Qwen2.5-7b-Instruct)"))
	// Output: true
}

// Cooldowns follow a CooldownPolicy; replicas share them through a shared
// Health (the redisstore module), here the in-memory one.
func ExampleNewMemoryHealth() {
	health := relay.NewMemoryHealth(relay.CooldownPolicy{
		MinRequests: 10,               // no verdict on fewer attempts per window
		FailureRate: 0.3,              // trip at 30% failures
		Base:        10 * time.Second, // first cooldown, doubled per trip
		Max:         2 * time.Minute,  // cap, also for Retry-After and dead keys
	})
	_, err := relay.New([]relay.Upstream{{BaseURL: "http://127.0.0.1:8000/v1"}}, relay.WithHealth(health))
	fmt.Println(err)
	// Output: <nil>
}
