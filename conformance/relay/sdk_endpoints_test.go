package relay_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/azure"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/conformance/sdktest"
	"github.com/oaicompat/oaicompat/oaitest"
	"github.com/oaicompat/oaicompat/relay"
)

// Every endpoint through the relay, driven by openai-go, against oaitest
// and oaicompat upstreams.

// TestSDKToolCalls: streamed parallel tool calls reach the client as the
// upstream sent them (ids, names, arguments by index).
func TestSDKToolCalls(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t)
	mock.On(nil).Reply(oaitest.ToolCalls(
		oaitest.ToolCall{ID: "call_a", Name: "get_weather", Arguments: `{"city":"Paris"}`},
		oaitest.ToolCall{ID: "call_b", Name: "get_time", Arguments: `{"tz":"CET"}`})).Times(2)
	s := serveRelay(t, []relay.Upstream{{BaseURL: mock.URL()}})
	client := sdktest.Client(s.url)
	p := sdkParams("m", "weather?")
	p.Tools = []openai.ChatCompletionToolUnionParam{
		openai.ChatCompletionFunctionTool(openai.FunctionDefinitionParam{Name: "get_weather"}),
		openai.ChatCompletionFunctionTool(openai.FunctionDefinitionParam{Name: "get_time"}),
	}
	stream := client.Chat.Completions.NewStreaming(context.Background(), p)
	acc := openai.ChatCompletionAccumulator{}
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	check := func(how string, msg openai.ChatCompletionMessage, finish string) {
		calls := msg.ToolCalls
		if len(calls) != 2 || finish != "tool_calls" ||
			calls[0].ID != "call_a" || calls[0].Function.Name != "get_weather" || calls[0].Function.Arguments != `{"city":"Paris"}` ||
			calls[1].ID != "call_b" || calls[1].Function.Name != "get_time" || calls[1].Function.Arguments != `{"tz":"CET"}` {
			t.Errorf("%s: calls %+v, finish %q", how, calls, finish)
		}
	}
	check("stream", acc.Choices[0].Message, acc.Choices[0].FinishReason)
	c, err := client.Chat.Completions.New(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	check("non-streamed", c.Choices[0].Message, c.Choices[0].FinishReason)
}

// TestSDKMultipleChoices: n=2 is one upstream request; both choices come
// back.
func TestSDKMultipleChoices(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t)
	mock.On(nil).Reply(oaitest.Text("same")).Times(2)
	s := serveRelay(t, []relay.Upstream{{BaseURL: mock.URL()}})
	client := sdktest.Client(s.url)
	p := sdkParams("m", "hi")
	p.N = openai.Int(2)
	c, err := client.Chat.Completions.New(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Choices) != 2 || c.Choices[1].Message.Content != "same" {
		t.Errorf("choices = %+v", c.Choices)
	}
	stream := client.Chat.Completions.NewStreaming(context.Background(), p)
	texts := map[int64]string{}
	for stream.Next() {
		for _, ch := range stream.Current().Choices {
			texts[ch.Index] += ch.Delta.Content
		}
	}
	if err := stream.Err(); err != nil || texts[0] != "same" || texts[1] != "same" {
		t.Errorf("stream: %v %v", texts, err)
	}
	for _, r := range mock.Requests() {
		if n, _ := r.Param("n"); n != float64(2) {
			t.Errorf("upstream request n = %v", n)
		}
	}
}

// TestSDKEmbeddings: floats and base64 (as the upstream answers the
// client's own encoding_format) come back as the same vectors.
func TestSDKEmbeddings(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t)
	vecs := [][]float32{{0.5, -1.25, 3}, {1e-7, 0, -0}}
	mock.On(oaitest.Embeddings()).Reply(oaitest.Vectors(vecs...)).Times(2)
	s := serveRelay(t, []relay.Upstream{{BaseURL: mock.URL(), Models: map[string]string{"emb": "text-embedding-3-small"}}})
	client := sdktest.Client(s.url)
	for _, format := range []openai.EmbeddingNewParamsEncodingFormat{openai.EmbeddingNewParamsEncodingFormatFloat, openai.EmbeddingNewParamsEncodingFormatBase64} {
		res, err := client.Embeddings.New(context.Background(), openai.EmbeddingNewParams{
			Model: "emb", Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"a", "b"}}, EncodingFormat: format})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Data) != 2 || res.Model != "emb" {
			t.Fatalf("%s: %+v", format, res)
		}
		for i, d := range res.Data {
			for j, x := range d.Embedding {
				if float32(x) != vecs[i][j] {
					t.Errorf("%s: vector %d = %v", format, i, d.Embedding)
					break
				}
			}
		}
	}
	for _, r := range mock.Requests() {
		if r.Embedding.Model != "text-embedding-3-small" {
			t.Errorf("upstream model %q", r.Embedding.Model)
		}
	}
}

// TestSDKImages: b64_json and url answers pass through.
func TestSDKImages(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t)
	mock.On(oaitest.Images()).Reply(oaitest.Pictures(oaicompat.Image{Data: []byte("PNGDATA"), URL: "https://img.example/1.png", RevisedPrompt: "a cat"})).Times(2)
	s := serveRelay(t, []relay.Upstream{{BaseURL: mock.URL()}})
	client := sdktest.Client(s.url)
	res, err := client.Images.Generate(context.Background(), openai.ImageGenerateParams{Prompt: "cat", Model: "dall-e-3",
		ResponseFormat: openai.ImageGenerateParamsResponseFormatB64JSON})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Data) != 1 || res.Data[0].B64JSON != "UE5HREFUQQ==" || res.Data[0].RevisedPrompt != "a cat" {
		t.Errorf("b64: %+v", res.Data)
	}
	res, err = client.Images.Generate(context.Background(), openai.ImageGenerateParams{Prompt: "cat", Model: "dall-e-3"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Data) != 1 || res.Data[0].URL != "https://img.example/1.png" {
		t.Errorf("url: %+v", res.Data)
	}
}

// TestSDKModels: the model lists of several upstreams are merged,
// deduplicated and named as clients name them.
func TestSDKModels(t *testing.T) {
	t.Parallel()
	a := oaitest.NewServer(t, oaitest.WithModels("llama-3", "qwen-2", "shared"))
	b := oaitest.NewServer(t, oaitest.WithModels("shared", "mistral"))
	c := oaitest.NewServer(t, oaitest.WithModels("ignored"))
	broken := refusedURL(t)
	a.On(oaitest.Models()).Reply(oaitest.ModelList("llama-3", "qwen-2", "shared")).AnyTimes()
	b.On(oaitest.Models()).Reply(oaitest.ModelList("shared", "mistral")).AnyTimes()
	s := serveRelay(t, []relay.Upstream{
		{Name: "a", BaseURL: a.URL()},
		{Name: "b", BaseURL: b.URL(), Priority: 1},
		{Name: "c", BaseURL: c.URL(), Models: map[string]string{"house-model": "ignored"}},
		{Name: "broken", BaseURL: broken},
	}, relay.WithAliases(map[string]string{"default": "llama-3"}))
	client := sdktest.Client(s.url)
	page, err := client.Models.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range page.Data {
		ids = append(ids, m.ID+"@"+m.OwnedBy)
	}
	slices.Sort(ids)
	want := []string{"default@relay", "house-model@c", "llama-3@oaitest", "mistral@oaitest", "qwen-2@oaitest", "shared@oaitest"}
	if !slices.Equal(ids, want) {
		t.Errorf("models = %v, want %v", ids, want)
	}
	if m, err := client.Models.Get(context.Background(), "house-model"); err != nil || m.ID != "house-model" {
		t.Errorf("get: %v %v", m, err)
	}
	if !strings.Contains(s.log.String(), "upstream=broken") {
		t.Errorf("the failed upstream is not logged:\n%s", s.log)
	}
}

// TestSDKResponsesAndCompletions: the Responses API and legacy
// completions reach the upstream as chat requests (the handler translates
// them) and their answers come back in their own shapes.
func TestSDKResponsesAndCompletions(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t)
	mock.On(oaitest.Chat().LastUser(oaitest.Contains("responses"))).Reply(oaitest.Text("via responses")).Times(2)
	mock.On(oaitest.Chat().LastUser(oaitest.Contains("legacy"))).Reply(oaitest.Text("via completions"))
	s := serveRelay(t, []relay.Upstream{{BaseURL: mock.URL()}})
	client := sdktest.Client(s.url)
	ctx := context.Background()
	r, err := client.Responses.New(ctx, responses.ResponseNewParams{Model: "m", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("responses please")}})
	if err != nil {
		t.Fatal(err)
	}
	if r.OutputText() != "via responses" {
		t.Errorf("responses: %q", r.OutputText())
	}
	stream := client.Responses.NewStreaming(ctx, responses.ResponseNewParams{Model: "m", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("responses stream")}})
	var text string
	for stream.Next() {
		if ev := stream.Current(); ev.Type == "response.output_text.delta" {
			text += ev.Delta
		}
	}
	if err := stream.Err(); err != nil || text != "via responses" {
		t.Errorf("responses stream: %q %v", text, err)
	}
	c, err := client.Completions.New(ctx, openai.CompletionNewParams{Model: "m", Prompt: openai.CompletionNewParamsPromptUnion{OfString: openai.String("legacy")}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Choices[0].Text != "via completions" {
		t.Errorf("completions: %q", c.Choices[0].Text)
	}
	for _, req := range mock.Requests() {
		var body map[string]json.RawMessage
		_ = json.Unmarshal(req.Body, &body)
		if req.Path != "/v1/chat/completions" || body["messages"] == nil || body["input"] != nil || body["store"] != nil {
			t.Errorf("upstream got %s %s", req.Path, req.Body)
		}
	}
}

// TestSDKAzureUpstream: an Azure-shaped upstream gets deployment URLs,
// api-version and the api-key header.
func TestSDKAzureUpstream(t *testing.T) {
	t.Parallel()
	var seen atomic.Value
	backend := oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		return w.WriteText("azure says hi to " + req.Model)
	})
	azureSrv := oaicompat.NewHandler(backend, oaicompat.WithAzure(nil))
	up := serveHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.URL.String() + " api-key=" + r.Header.Get("Api-Key") + " auth=" + r.Header.Get("Authorization"))
		azureSrv.ServeHTTP(w, r)
	}))
	s := serveRelay(t, []relay.Upstream{{BaseURL: strings.TrimSuffix(up, "/v1"), Keys: []string{"az-key"},
		Azure: &relay.Azure{APIVersion: "2024-06-01"}, Models: map[string]string{"gpt-4o": "my-deployment"}}})
	c, _, err := chatVia(t, s, "gpt-4o")
	if err != nil {
		t.Fatal(err)
	}
	if c.Choices[0].Message.Content != "azure says hi to my-deployment" {
		t.Errorf("content %q", c.Choices[0].Message.Content)
	}
	if got := seen.Load(); got != "/openai/deployments/my-deployment/chat/completions?api-version=2024-06-01 api-key=az-key auth=" {
		t.Errorf("upstream request: %v", got)
	}
	// And the relay itself serves Azure clients when its handler has WithAzure.
	front := strings.TrimSuffix(serveHandler(t, relay.Headers(oaicompat.NewHandler(s.relay, oaicompat.WithAzure(nil), oaicompat.WithAnyModel()))), "/v1")
	azClient := openai.NewClient(azure.WithEndpoint(front, "2024-06-01"), azure.WithAPIKey("k"), azure.WithUnsafeAllowHTTP(), option.WithMaxRetries(0))
	c, err = azClient.Chat.Completions.New(context.Background(), sdkParams("gpt-4o", "hi"))
	if err != nil || c.Choices[0].Message.Content != "azure says hi to my-deployment" {
		t.Errorf("Azure client through the relay: %v %v", c, err)
	}
}

// TestSDKConcurrencyLimit: past MaxConcurrent and MaxQueue an upstream is
// skipped for the next candidate; with none left the client gets 503
// upstream_busy (without x-should-retry: nothing was tried, a later retry
// may succeed).
func TestSDKConcurrencyLimit(t *testing.T) {
	t.Parallel()
	f := newFaultServer(t, step{delay: time.Second, body: completionJSON("slow")})
	s := serveRelay(t, []relay.Upstream{{Name: "slow", BaseURL: f.URL(), MaxConcurrent: 1, MaxQueue: 1, QueueTimeout: 10 * time.Second}})
	type result struct {
		content string
		err     error
	}
	results := make(chan result, 3)
	client := sdktest.Client(s.url) // no SDK retries: a busy answer is what is counted
	send := func() {
		c, err := client.Chat.Completions.New(context.Background(), sdkParams("m", "hi"))
		if err != nil {
			results <- result{err: err}
			return
		}
		results <- result{content: c.Choices[0].Message.Content}
	}
	go send()
	for len(f.Requests()) == 0 { // the first is in flight (for a second)
		time.Sleep(5 * time.Millisecond)
	}
	go send() // one of these two waits in the queue, the other finds it full
	go send()
	ok, busy := 0, 0
	for i := 0; i < 3; i++ {
		r := <-results
		var apiErr *openai.Error
		switch {
		case r.err == nil && r.content == "slow":
			ok++
		case errors.As(r.err, &apiErr) && apiErr.StatusCode == 503 && apiErr.Code == "upstream_busy":
			busy++
		default:
			t.Errorf("result %+v", r)
		}
	}
	if ok != 2 || busy != 1 {
		t.Errorf("%d answered, %d busy; want 2 and 1", ok, busy)
	}
}

// TestSDKClientCancel: a client that leaves cancels the upstream request
// (the upstream sees its request context end) and no failure is counted.
func TestSDKClientCancel(t *testing.T) {
	t.Parallel()
	cancelled := make(chan struct{})
	backend := oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		if err := w.WriteText("first"); err != nil {
			return err
		}
		<-ctx.Done()
		close(cancelled)
		return ctx.Err()
	})
	up := serveBackend(t, backend)
	s := serveRelay(t, []relay.Upstream{{Name: "up", BaseURL: up}})
	ctx, cancel := context.WithCancel(context.Background())
	client := sdktest.Client(s.url)
	stream := client.Chat.Completions.NewStreaming(ctx, sdkParams("m", "hi"))
	if !stream.Next() {
		t.Fatal(stream.Err())
	}
	cancel()
	for stream.Next() {
	}
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the upstream request was not cancelled")
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(s.log.String(), "relay attempt") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if strings.Contains(s.log.String(), "level=WARN") {
		t.Errorf("a client leaving was logged as an upstream failure:\n%s", s.log)
	}
}
