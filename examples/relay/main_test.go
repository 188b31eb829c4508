package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/oaicompat/oaicompat/internal/testenv"
	"github.com/oaicompat/oaicompat/relay"
)

// TestConfigExample: the commented relay.yaml parses into what it says.
func TestConfigExample(t *testing.T) {
	for _, k := range []string{"OPENAI_API_KEY", "OPENAI_API_KEY_2", "AZURE_OPENAI_API_KEY"} {
		t.Setenv(k, "key-"+k)
	}
	cfg, err := load("relay.yaml", "", "")
	if err != nil {
		t.Fatal(err)
	}
	ups, opts, err := cfg.relay()
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 4 || len(opts) != 7 {
		t.Fatalf("%d upstreams, %d options", len(ups), len(opts))
	}
	vllm, openaiUp, az := ups[0], ups[2], ups[3]
	if vllm.Weight != 2 || vllm.MaxConcurrent != 64 || vllm.FirstTokenTimeout != 30*time.Second || vllm.Models["llama-8b"] != "meta-llama/Llama-3.1-8B-Instruct" {
		t.Errorf("vllm = %+v", vllm)
	}
	if len(openaiUp.Keys) != 2 || openaiUp.Keys[1] != "key-OPENAI_API_KEY_2" || openaiUp.Priority != 1 {
		t.Errorf("openai = %+v", openaiUp)
	}
	if az.Azure == nil || az.Azure.APIVersion != "2024-10-21" || az.Header.Get("X-Team") != "search" {
		t.Errorf("azure = %+v", az)
	}
	if cfg.Cooldown.MinRequests != 5 || cfg.Backoff.Base != 250*time.Millisecond || cfg.Fallbacks["llama-70b"][0] != "gpt-4o-hosted" {
		t.Errorf("config = %+v", cfg)
	}
	if _, err := relay.New(ups, opts...); err != nil {
		t.Errorf("relay.New: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	if _, err := parse([]byte("upstreams:\n  - base_url: http://x/v1\n    wieght: 2\n")); err == nil || !strings.Contains(err.Error(), "wieght") {
		t.Errorf("a misspelt key: %v", err)
	}
	cfg, err := parse([]byte("upstreams:\n  - base_url: http://x/v1\n    key_env: [RELAY_TEST_UNSET_KEY]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := cfg.relay(); err == nil || !strings.Contains(err.Error(), "RELAY_TEST_UNSET_KEY") {
		t.Errorf("an unset key variable: %v", err)
	}
	if _, err := load("", "", ""); err == nil {
		t.Error("no upstream: no error")
	}
}

// build compiles the command in dir into a temporary directory.
func build(t *testing.T, dir, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	args := append(append([]string{"build"}, testenv.BuildFlags()...), "-o", bin, dir)
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", dir, err, out)
	}
	return bin
}

// start runs a command and returns the first http:// URL it prints.
func start(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "UPSTREAM_API_KEY=sk-upstream")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := regexp.MustCompile(`http://[0-9.:]+`).FindString(sc.Text()); m != "" {
				found <- m
				break
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case u := <-found:
		return u
	case <-time.After(30 * time.Second):
		t.Fatalf("%s printed no URL", bin)
	}
	return ""
}

// TestInFrontOfQuickstart runs the quickstart and this command in front of
// it, and asks both the same things through openai-go: the answers are the
// same (ids and timestamps aside), and the relay names the upstream.
func TestInFrontOfQuickstart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two commands")
	}
	upstream := start(t, build(t, "../quickstart", "quickstart"), "-addr", "127.0.0.1:0", "-word-delay", "0")
	front := start(t, build(t, ".", "relay"), "-addr", "127.0.0.1:0", "-upstream", upstream+"/v1")
	direct := openai.NewClient(option.WithBaseURL(upstream+"/v1"), option.WithAPIKey("k"), option.WithMaxRetries(0))
	relayed := openai.NewClient(option.WithBaseURL(front+"/v1"), option.WithAPIKey("k"), option.WithMaxRetries(0))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	chat := openai.ChatCompletionNewParams{Model: "demo-chat", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What is 6*7?")}}
	var resp *http.Response
	a, err := direct.Chat.Completions.New(ctx, chat)
	if err != nil {
		t.Fatal(err)
	}
	b, err := relayed.Chat.Completions.New(ctx, chat, option.WithResponseInto(&resp))
	if err != nil {
		t.Fatal(err)
	}
	if a.Choices[0].Message.Content != b.Choices[0].Message.Content || a.Model != b.Model || a.Usage.TotalTokens != b.Usage.TotalTokens || a.Choices[0].FinishReason != b.Choices[0].FinishReason {
		t.Errorf("chat: direct %s\nrelayed %s", a.RawJSON(), b.RawJSON())
	}
	if resp.Header.Get(relay.HeaderUpstream) == "" || resp.Header.Get(relay.HeaderAttempts) != "1" {
		t.Errorf("relay headers: %v", resp.Header)
	}

	streamText := func(c openai.Client) (string, int64) {
		p := chat
		p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
		s := c.Chat.Completions.NewStreaming(ctx, p)
		var acc openai.ChatCompletionAccumulator
		for s.Next() {
			acc.AddChunk(s.Current())
		}
		if err := s.Err(); err != nil {
			t.Fatal(err)
		}
		return acc.Choices[0].Message.Content, acc.Usage.TotalTokens
	}
	at, au := streamText(direct)
	bt, bu := streamText(relayed)
	if at != bt || au != bu || at == "" {
		t.Errorf("stream: direct %q %d, relayed %q %d", at, au, bt, bu)
	}

	emb := openai.EmbeddingNewParams{Model: "demo-embed", Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("hello")}, Dimensions: openai.Int(8)}
	ea, err := direct.Embeddings.New(ctx, emb)
	if err != nil {
		t.Fatal(err)
	}
	eb, err := relayed.Embeddings.New(ctx, emb)
	if err != nil {
		t.Fatal(err)
	}
	if ea.RawJSON() != eb.RawJSON() {
		t.Errorf("embeddings: direct %s\nrelayed %s", ea.RawJSON(), eb.RawJSON())
	}

	ma, err := direct.Models.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mb, err := relayed.Models.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ma.RawJSON() != mb.RawJSON() {
		t.Errorf("models: direct %s\nrelayed %s", ma.RawJSON(), mb.RawJSON())
	}

	bad := chat
	bad.Temperature = openai.Float(5)
	_, errA := direct.Chat.Completions.New(ctx, bad)
	_, errB := relayed.Chat.Completions.New(ctx, bad)
	var apiA, apiB *openai.Error
	if !errorsAs(errA, &apiA) || !errorsAs(errB, &apiB) || apiA.StatusCode != apiB.StatusCode || apiA.RawJSON() != apiB.RawJSON() {
		t.Errorf("invalid request: direct %v, relayed %v", errA, errB)
	}
}

func errorsAs(err error, target **openai.Error) bool { return errors.As(err, target) }
