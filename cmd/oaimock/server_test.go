package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/oaicompat/oaicompat/oaitest"
)

// start runs oaimock's handler on a loopback test server.
func start(t *testing.T, config string, tapes ...string) (*httptest.Server, *openai.Client) {
	t.Helper()
	srv, err := newServer(config, tapes, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { srv.close(); ts.Close() })
	c := openai.NewClient(option.WithBaseURL(ts.URL+"/v1"), option.WithAPIKey("sk-test"), option.WithHTTPClient(ts.Client()))
	return ts, &c
}

func user(model, text string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{Model: model, Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(text)}}
}

func getJSON(t *testing.T, ts *httptest.Server, path string, v any) {
	t.Helper()
	resp, err := ts.Client().Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// TestExampleScenario serves the documented example scenario and checks
// its rules through openai-go.
func TestExampleScenario(t *testing.T) {
	t.Parallel()
	ts, client := start(t, "scenario.example.yaml")
	ctx := context.Background()

	p := user("gpt-4o-mini", "What's the weather in Paris?")
	p.Tools = []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{Name: "get_weather"})}
	c, err := client.Chat.Completions.New(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	call := c.Choices[0].Message.ToolCalls[0]
	if call.Function.Name != "get_weather" || call.Function.Arguments != `{"city":"Paris","unit":"c"}` {
		t.Errorf("tool call %+v", call)
	}
	p.Messages = append(p.Messages, c.Choices[0].Message.ToParam(), openai.ToolMessage("22", call.ID))
	if c, err = client.Chat.Completions.New(ctx, p); err != nil || c.Choices[0].Message.Content != "It is 22°C and sunny in Paris." || c.Usage.TotalTokens != 51 {
		t.Errorf("answer %+v, %v", c, err)
	}

	c, err = client.Chat.Completions.New(ctx, user("gpt-4o", "Retry please"), option.WithHeader("X-Tenant", "acme"), option.WithMaxRetries(2))
	if err != nil || c.Choices[0].Message.Content != "Third time lucky." {
		t.Errorf("flaky: %v", err)
	}

	stream := client.Chat.Completions.NewStreaming(ctx, user("gpt-4o", "please break the stream"))
	n := 0
	for stream.Next() {
		n++
	}
	if stream.Err() == nil || n != 3 {
		t.Errorf("broken stream: %d chunks, err %v", n, stream.Err())
	}

	if c, err = client.Chat.Completions.New(ctx, user("gpt-4o", "Answer as JSON")); err != nil || c.Choices[0].Message.Content != `{"answer":42,"unit":"none"}` {
		t.Errorf("json: %v %v", c, err)
	}
	e, err := client.Embeddings.New(ctx, openai.EmbeddingNewParams{Model: "text-embedding-3-small", Dimensions: openai.Int(8),
		Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"a", "b"}}})
	if err != nil || len(e.Data) != 2 || len(e.Data[1].Embedding) != 8 {
		t.Errorf("embeddings: %v", err)
	}

	var journal []journalEntry
	getJSON(t, ts, "/__oaimock/journal", &journal)
	rules := []string{}
	for _, j := range journal {
		rules = append(rules, j.Rule)
	}
	want := "weather tool call,weather answer,flaky then fine,flaky then fine,flaky then fine,streaming faults,structured output,embeddings"
	if strings.Join(rules, ",") != want {
		t.Errorf("rules %q", rules)
	}
	if journal[3].Attempt != 2 || journal[3].RetryCount != 1 || journal[2].Status != 429 || journal[2].Error.Type != "requests" {
		t.Errorf("retry journal %+v / %+v", journal[2], journal[3])
	}
	if journal[0].API != "chat.completions" || journal[7].API != "embeddings" {
		t.Errorf("api %q %q", journal[0].API, journal[7].API)
	}
	if got := journal[0].Header["Authorization"]; len(got) != 1 || got[0] != "Bearer [REDACTED]" {
		t.Errorf("authorization %q", got)
	}
	var f struct{ Failures []string }
	getJSON(t, ts, "/__oaimock/failures", &f)
	if len(f.Failures) != 0 {
		t.Errorf("failures %q", f.Failures)
	}
}

// TestControlAPI adds rules at run time, lists failures and resets.
func TestControlAPI(t *testing.T) {
	t.Parallel()
	_, dflt := start(t, "")
	ctx := context.Background()
	if c, err := dflt.Chat.Completions.New(ctx, user("m", "hi")); err != nil || c.Choices[0].Message.Content == "" {
		t.Fatalf("default reply: %v", err)
	}
	config := filepath.Join(t.TempDir(), "empty.yaml")
	if err := writeFile(config, "# no rules: they are added through the control API\nmodels: [m]\n"); err != nil {
		t.Fatal(err)
	}
	ts, client := start(t, config)
	if _, err := client.Chat.Completions.New(ctx, user("m", "hi")); err == nil {
		t.Fatal("a scenario without rules answered")
	}
	post := func(path, body string) int {
		resp, err := ts.Client().Post(ts.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := post("/__oaimock/reset", ""); s != http.StatusNoContent {
		t.Fatalf("reset %d", s)
	}
	if s := post("/__oaimock/rules", `{"rules":[{"name":"hello","match":{"last_user":{"equals":"hello"}},"reply":{"text":"world"}}]}`); s != http.StatusCreated {
		t.Fatalf("add rules %d", s)
	}
	if s := post("/__oaimock/rules", `{"rules":[{"match":{"endpoint":"nope"}}]}`); s != http.StatusBadRequest {
		t.Errorf("bad rule accepted: %d", s)
	}
	if s := post("/__oaimock/rules", `{"pacing":{"ttft":"1s"}}`); s != http.StatusBadRequest {
		t.Errorf("settings accepted at run time: %d", s)
	}
	if c, err := client.Chat.Completions.New(ctx, user("m", "hello")); err != nil || c.Choices[0].Message.Content != "world" {
		t.Errorf("added rule: %v", err)
	}
	_, err := client.Chat.Completions.New(ctx, user("m", "bye"))
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 501 {
		t.Errorf("unmatched: %v", err)
	}
	var f struct{ Failures []string }
	getJSON(t, ts, "/__oaimock/failures", &f)
	if len(f.Failures) != 1 || !strings.Contains(f.Failures[0], `closest rule "hello": last user message: want equals "hello", got "bye"`) {
		t.Errorf("failures %q", f.Failures)
	}
	var journal []journalEntry
	getJSON(t, ts, "/__oaimock/journal", &journal)
	if len(journal) != 2 || journal[0].Rule != "hello" || journal[1].Status != 501 || !strings.Contains(string(journal[1].Body), `"bye"`) {
		t.Errorf("journal %+v", journal)
	}
}

// TestServesTapes replays a tape before the rules; other requests fall
// through to the rules.
func TestServesTapes(t *testing.T) {
	t.Parallel()
	tape := &oaitest.Tape{Interactions: []oaitest.Interaction{{
		Request: oaitest.TapeRequest{Method: "POST", Path: "/v1/chat/completions",
			Body: "{\n  \"messages\": [\n    {\n      \"content\": \"recorded\",\n      \"role\": \"user\"\n    }\n  ],\n  \"model\": \"m\",\n  \"stream\": true\n}"},
		Response: oaitest.TapeResponse{Status: 200, Header: map[string]string{"Content-Type": "text/event-stream"}, Events: []oaitest.TapeEvent{
			{AtMS: 5, Data: `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"from tape"},"finish_reason":null}]}`},
			{AtMS: 9, Data: `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`},
			{AtMS: 9, Data: "data: [DONE]"}}},
	}}}
	path := filepath.Join(t.TempDir(), "t.oaitape.yaml")
	if err := tape.Save(path); err != nil {
		t.Fatal(err)
	}
	_, client := start(t, "", path)
	stream := client.Chat.Completions.NewStreaming(context.Background(), user("m", "recorded"))
	var text string
	for stream.Next() {
		for _, ch := range stream.Current().Choices {
			text += ch.Delta.Content
		}
	}
	if stream.Err() != nil || text != "from tape" {
		t.Errorf("replayed %q, %v", text, stream.Err())
	}
	c, err := client.Chat.Completions.New(context.Background(), user("m", "not recorded"))
	if err != nil || c.Choices[0].Message.Content == "" {
		t.Errorf("fallthrough: %v", err)
	}
}

func TestBadScenario(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, doc := range map[string]string{
		"unknown key":  "rules: [{match: {modle: x}}]",
		"two contents": "rules: [{reply: {text: a, refusal: b}}]",
		"bad regexp":   "rules: [{match: {last_user: {regexp: '('}}}]",
		"bad duration": "pacing: {ttft: soon}",
		"bad status":   "rules: [{reply: {error: {status: 200}}}]",
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".yaml")
		if err := writeFile(path, doc); err != nil {
			t.Fatal(err)
		}
		if _, err := newServer(path, nil, t.Logf); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
