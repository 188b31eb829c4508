package oaicompat_test

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	goopenai "github.com/sashabaranov/go-openai"
)

// These tests drive the legacy POST /v1/completions with openai-go and
// go-openai against a Backend that implements only Chat.

func TestCompletionsPromptFormsWithOpenAIGo(t *testing.T) {
	be := &dialectBackend{}
	srv := serveDialects(t, be)
	client := goClient(srv.URL)
	tests := []struct {
		name   string
		prompt openai.CompletionNewParamsPromptUnion
		n      int64
		want   []string // text of each choice, in index order
	}{
		{"string", openai.CompletionNewParamsPromptUnion{OfString: openai.String("hi")}, 1, []string{"You said: hi"}},
		{"strings x n", openai.CompletionNewParamsPromptUnion{OfArrayOfStrings: []string{"a", "b"}}, 2,
			[]string{"You said: a", "You said: a", "You said: b", "You said: b"}},
		{"tokens", openai.CompletionNewParamsPromptUnion{OfArrayOfTokens: []int64{1, 2, 3}}, 1, []string{"You said: 1 2 3"}},
		{"token lists", openai.CompletionNewParamsPromptUnion{OfArrayOfTokenArrays: [][]int64{{7}, {8, 9}}}, 1,
			[]string{"You said: 7", "You said: 8 9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := client.Completions.New(context.Background(), openai.CompletionNewParams{
				Model: "m1", Prompt: tt.prompt, N: openai.Int(tt.n),
			})
			if err != nil {
				t.Fatal(err)
			}
			if c.Object != "text_completion" || !strings.HasPrefix(c.ID, "cmpl-") || len(c.Choices) != len(tt.want) {
				t.Fatalf("completion = %+v", c)
			}
			for i, ch := range c.Choices {
				if int(ch.Index) != i || ch.Text != tt.want[i] || ch.FinishReason != "stop" {
					t.Errorf("choice %d = %+v", i, ch)
				}
			}
			if c.Usage.TotalTokens != c.Usage.PromptTokens+c.Usage.CompletionTokens || c.Usage.CompletionTokens != int64(5*len(tt.want)) {
				t.Errorf("usage = %+v", c.Usage)
			}
		})
	}
	// The chat backend saw the default max_tokens and the original prompt.
	last := be.LastRequest()
	if n, ok := last.TokenLimit(); !ok || n != 16 { // the legacy endpoint's default
		t.Errorf("token limit %d %v", n, ok)
	}
	if string(last.Extra["prompt"]) != "[[7],[8,9]]" {
		t.Errorf("Extra[prompt] = %s", last.Extra["prompt"])
	}
}

func TestCompletionsEchoStopLogprobsWithOpenAIGo(t *testing.T) {
	be := &dialectBackend{}
	srv := serveDialects(t, be)
	c, err := goClient(srv.URL).Completions.New(context.Background(), openai.CompletionNewParams{
		Model: "m1", Prompt: openai.CompletionNewParamsPromptUnion{OfString: openai.String("one two three")},
		Echo: openai.Bool(true), Logprobs: openai.Int(1), MaxTokens: openai.Int(2),
		Stop: openai.CompletionNewParamsStopUnion{OfString: openai.String("END")},
	})
	if err != nil {
		t.Fatal(err)
	}
	ch := c.Choices[0]
	if ch.Text != "one two threeYou said: " || ch.FinishReason != "length" {
		t.Errorf("choice = %q %q", ch.Text, ch.FinishReason)
	}
	lp := ch.Logprobs
	if strings.Join(lp.Tokens, "|") != "You |said: " || len(lp.TokenLogprobs) != 2 || lp.TokenLogprobs[0] != -0.5 ||
		lp.TextOffset[0] != int64(len("one two three")) || lp.TextOffset[1] != int64(len("one two threeYou ")) ||
		lp.TopLogprobs[0]["You "] != -0.5 {
		t.Errorf("logprobs = %+v", lp)
	}
	last := be.LastRequest()
	if !last.WantsLogprobs() || *last.TopLogprobs != 1 || last.Stop[0] != "END" || string(last.Extra["echo"]) != "true" {
		t.Errorf("chat request: logprobs %v top %v stop %v extra %v", last.Logprobs, last.TopLogprobs, last.Stop, last.Extra)
	}
}

func TestCompletionsStreamWithOpenAIGo(t *testing.T) {
	srv := serveDialects(t, &dialectBackend{})
	stream := goClient(srv.URL).Completions.NewStreaming(context.Background(), openai.CompletionNewParams{
		Model: "m1", Prompt: openai.CompletionNewParamsPromptUnion{OfArrayOfStrings: []string{"x y", "z"}},
		N: openai.Int(2), Echo: openai.Bool(true), StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	})
	texts := map[int64]string{}
	finish := map[int64]string{}
	var usage openai.CompletionUsage
	for stream.Next() {
		c := stream.Current()
		if c.Object != "text_completion" {
			t.Errorf("object = %q", c.Object)
		}
		if len(c.Choices) == 0 {
			usage = c.Usage
		}
		for _, ch := range c.Choices {
			texts[ch.Index] += ch.Text
			if ch.FinishReason != "" {
				finish[ch.Index] = string(ch.FinishReason)
			}
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	want := map[int64]string{0: "x yYou said: x y", 1: "x yYou said: x y", 2: "zYou said: z", 3: "zYou said: z"}
	for i, w := range want {
		if texts[i] != w || finish[i] != "stop" {
			t.Errorf("choice %d: %q (%s), want %q", i, texts[i], finish[i], w)
		}
	}
	if usage.CompletionTokens != 20 || usage.TotalTokens != usage.PromptTokens+20 {
		t.Errorf("usage = %+v", usage)
	}
}

func TestCompletionsWithGoOpenAI(t *testing.T) {
	srv := serveDialects(t, &dialectBackend{})
	cfg := goopenai.DefaultConfig("test")
	cfg.BaseURL = srv.URL + "/v1"
	client := goopenai.NewClientWithConfig(cfg)
	ctx := context.Background()
	res, err := client.CreateCompletion(ctx, goopenai.CompletionRequest{Model: "m1", Prompt: []string{"alpha", "beta"}, MaxTokens: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Choices) != 2 || res.Choices[1].Text != "You said: beta" || res.Choices[1].Index != 1 || res.Object != "text_completion" {
		t.Errorf("completion = %+v", res)
	}
	stream, err := client.CreateCompletionStream(ctx, goopenai.CompletionRequest{Model: "m1", Prompt: "gamma delta", Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	var text strings.Builder
	finish := ""
	for {
		c, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		text.WriteString(c.Choices[0].Text)
		if c.Choices[0].FinishReason != "" {
			finish = c.Choices[0].FinishReason
		}
	}
	if text.String() != "You said: gamma delta" || finish != "stop" {
		t.Errorf("stream text %q finish %q", text.String(), finish)
	}
	// suffix is refused clearly.
	_, err = client.CreateCompletion(ctx, goopenai.CompletionRequest{Model: "m1", Prompt: "a", Suffix: "z"})
	var apiErr *goopenai.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 400 || apiErr.Param == nil || *apiErr.Param != "suffix" {
		t.Errorf("suffix: %v", err)
	}
}

func TestCompletionsValidation(t *testing.T) {
	srv := serveDialects(t, &dialectBackend{})
	client := goClient(srv.URL)
	tests := []struct {
		name  string
		body  map[string]any
		param string
	}{
		{"model", map[string]any{"prompt": "x"}, "model"},
		{"logprobs range", map[string]any{"model": "m", "prompt": "x", "logprobs": 6}, "logprobs"},
		{"logprobs bool", map[string]any{"model": "m", "prompt": "x", "logprobs": true}, "logprobs"},
		{"best_of < n", map[string]any{"model": "m", "prompt": "x", "n": 3, "best_of": 2}, "best_of"},
		{"best_of stream", map[string]any{"model": "m", "prompt": "x", "best_of": 2, "stream": true}, "best_of"},
		{"best_of > n", map[string]any{"model": "m", "prompt": "x", "best_of": 3}, "best_of"},
		{"empty prompt list", map[string]any{"model": "m", "prompt": []any{}}, "prompt"},
		{"empty token list", map[string]any{"model": "m", "prompt": []any{[]any{1}, []any{}}}, "prompt[1]"},
		{"stop", map[string]any{"model": "m", "prompt": "x", "stop": []any{"a", "b", "c", "d", "e"}}, "stop"},
		{"max_tokens", map[string]any{"model": "m", "prompt": "x", "max_tokens": -1}, "max_tokens"},
		{"too many prompts", map[string]any{"model": "m", "prompt": prompts(2049)}, "prompt"},
		{"too many completions", map[string]any{"model": "m", "prompt": prompts(17), "n": 128}, "n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out map[string]any
			err := client.Post(context.Background(), "completions", tt.body, &out)
			var apiErr *openai.Error
			if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Param != tt.param {
				t.Errorf("err = %v", err)
			}
		})
	}
	// At the bound, prompts times n completions are answered.
	c, err := client.Completions.New(context.Background(), openai.CompletionNewParams{
		Model: "m1", Prompt: openai.CompletionNewParamsPromptUnion{OfArrayOfStrings: prompts(16)}, N: openai.Int(128),
	})
	if err != nil || len(c.Choices) != 2048 || c.Choices[2047].Index != 2047 {
		t.Errorf("16 prompts, n 128: %v", err)
	}
	// max_tokens 0 with echo answers the prompt without calling the backend.
	be := &dialectBackend{}
	srv2 := serveDialects(t, be)
	c, err = goClient(srv2.URL).Completions.New(context.Background(), openai.CompletionNewParams{
		Model: "m1", Prompt: openai.CompletionNewParamsPromptUnion{OfString: openai.String("score me")},
		Echo: openai.Bool(true), MaxTokens: openai.Int(0),
	})
	if err != nil || c.Choices[0].Text != "score me" || c.Choices[0].FinishReason != "length" || be.Count() != 0 {
		t.Errorf("max_tokens 0: %v %+v (backend calls %d)", err, c, be.Count())
	}
}

// prompts returns n prompts.
func prompts(n int) []string {
	p := make([]string, n)
	for i := range p {
		p[i] = "prompt " + strconv.Itoa(i)
	}
	return p
}
