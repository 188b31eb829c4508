package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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

	var jl list[journalEntry]
	getJSON(t, ts, "/__oaimock/journal", &jl)
	journal := jl.Data
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
	var f list[string]
	getJSON(t, ts, "/__oaimock/failures", &f)
	if f.Object != "list" || len(f.Data) != 0 {
		t.Errorf("failures %+v", f)
	}
}

// post sends a control request and decodes its answer into v.
func post(t *testing.T, ts *httptest.Server, path, body string, v any) int {
	t.Helper()
	resp, err := ts.Client().Post(ts.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("%s answered %s", path, resp.Header.Get("Content-Type"))
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return resp.StatusCode
}

// TestControlAPI adds rules at run time, lists failures, journal and
// rules, and resets; every answer has the documented shape.
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
	var d done
	if s := post(t, ts, "/__oaimock/reset", "", &d); s != http.StatusOK || !d.OK {
		t.Fatalf("reset %d %+v", s, d)
	}
	for _, c := range []struct {
		body   string
		status int
		want   done
	}{
		{`{"rules":[{"name":"hello","match":{"last_user":{"equals":"hello"}},"reply":{"text":"world"}}]}`, 201, done{OK: true, Added: 1, Position: "first"}},
		{"position: last\nscript:\n  - {name: one, match: {last_user: {equals: s}}, reply: {text: '1'}}\n  - {name: two, match: {last_user: {equals: s}}, reply: {text: '2'}}\n", 201, done{OK: true, Added: 2, Position: "last"}},
		{`{"rules":[{"match":{"endpoint":"nope"}}]}`, 400, done{Error: `oaitest: scenario: rules[0]: match: endpoint "nope": want chat, embeddings, images, models or any`}},
		{`{"pacing":{"ttft":"1s"}}`, 400, done{Error: `"pacing" cannot be set at run time: only rules, script and position can (restart oaimock to change settings)`}},
		{`{"position":"middle","rules":[]}`, 400, done{Error: `position "middle": want "first" or "last"`}},
		{`[1]`, 400, done{Error: "want a scenario object with rules and/or script: json: cannot unmarshal array into Go value of type map[string]json.RawMessage"}},
	} {
		var got done
		if s := post(t, ts, "/__oaimock/rules", c.body, &got); s != c.status || got != c.want {
			t.Errorf("POST rules %s:\n got %d %+v\nwant %d %+v", c.body, s, got, c.status, c.want)
		}
	}
	var rl list[ruleEntry]
	getJSON(t, ts, "/__oaimock/rules", &rl)
	one := 1
	want := []ruleEntry{{Name: "hello", Match: `endpoint "chat.completions", last user message equals "hello"`, Min: 1, Max: &one},
		{Name: "one", Match: `endpoint "chat.completions", last user message equals "s"`, Min: 1, Max: &one},
		{Name: "two", Match: `endpoint "chat.completions", last user message equals "s"`, Min: 1, Max: &one}}
	if b, w := mustJSON(t, rl), mustJSON(t, newList(want)); b != w {
		t.Errorf("rules\n got %s\nwant %s", b, w)
	}
	if c, err := client.Chat.Completions.New(ctx, user("m", "hello")); err != nil || c.Choices[0].Message.Content != "world" {
		t.Errorf("added rule: %v", err)
	}
	for _, want := range []string{"1", "2"} {
		if c, err := client.Chat.Completions.New(ctx, user("m", "s")); err != nil || c.Choices[0].Message.Content != want {
			t.Errorf("script turn %s: %v", want, err)
		}
	}
	_, err := client.Chat.Completions.New(ctx, user("m", "bye"))
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 501 {
		t.Errorf("unmatched: %v", err)
	}
	var f list[string]
	getJSON(t, ts, "/__oaimock/failures", &f)
	if len(f.Data) != 1 || !strings.Contains(f.Data[0], `closest rule "hello": last user message: want equals "hello", got "bye"`) {
		t.Errorf("failures %q", f.Data)
	}
	var jl list[journalEntry]
	getJSON(t, ts, "/__oaimock/journal", &jl)
	if j := jl.Data; jl.Object != "list" || len(j) != 4 || j[0].Rule != "hello" || j[2].Rule != "two" || j[3].Status != 501 || !strings.Contains(string(j[3].Body), `"bye"`) {
		t.Errorf("journal %+v", jl)
	}
	getJSON(t, ts, "/__oaimock/rules", &rl)
	if len(rl.Data) != 3 || rl.Data[0].Calls != 1 {
		t.Errorf("calls %+v", rl.Data)
	}
	if post(t, ts, "/__oaimock/reset", "", &d); !d.OK {
		t.Fatal("reset")
	}
	getJSON(t, ts, "/__oaimock/rules", &rl)
	getJSON(t, ts, "/__oaimock/journal", &jl)
	if len(rl.Data) != 0 || len(jl.Data) != 0 {
		t.Errorf("after reset: %d rules, %d requests", len(rl.Data), len(jl.Data))
	}
}

// TestControlErrors: unknown paths and wrong methods get JSON errors.
func TestControlErrors(t *testing.T) {
	t.Parallel()
	ts, _ := start(t, "")
	for _, c := range []struct {
		method, path string
		status       int
		allow, error string
	}{
		{"GET", "/__oaimock/nope", 404, "", "no control endpoint /__oaimock/nope; oaimock -h lists them"},
		{"DELETE", "/__oaimock/rules", 405, "GET, POST", "DELETE /__oaimock/rules: use GET or POST"},
		{"GET", "/__oaimock/reset", 405, "POST", "GET /__oaimock/reset: use POST"},
	} {
		req, _ := http.NewRequest(c.method, ts.URL+c.path, nil)
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var d done
		err = json.NewDecoder(resp.Body).Decode(&d)
		resp.Body.Close()
		if err != nil || resp.StatusCode != c.status || resp.Header.Get("Allow") != c.allow || d != (done{Error: c.error}) {
			t.Errorf("%s %s: %d allow %q %+v %v", c.method, c.path, resp.StatusCode, resp.Header.Get("Allow"), d, err)
		}
	}
}

// TestRuntimeRulesOverrideCatchAll: a rule added at run time answers
// before the shipped example scenario's catch-all; one added "last" never
// does, which is why first is the default.
func TestRuntimeRulesOverrideCatchAll(t *testing.T) {
	t.Parallel()
	ts, client := start(t, "scenario.example.yaml")
	ctx := context.Background()
	var d done
	post(t, ts, "/__oaimock/rules", `{"position":"last","rules":[{"name":"late","match":{"last_user":{"equals":"ping"}},"times":"any","reply":{"text":"never"}}]}`, &d)
	if c, err := client.Chat.Completions.New(ctx, user("gpt-4o", "ping")); err != nil || c.Choices[0].Message.Content == "never" {
		t.Errorf("a rule added last answered before the catch-all: %v", err)
	}
	post(t, ts, "/__oaimock/rules", `{"rules":[{"name":"pong","match":{"last_user":{"equals":"ping"}},"reply":{"text":"pong"}}]}`, &d)
	if c, err := client.Chat.Completions.New(ctx, user("gpt-4o", "ping")); err != nil || c.Choices[0].Message.Content != "pong" {
		t.Errorf("a rule added at run time lost to the catch-all: %v", err)
	}
	var jl list[journalEntry]
	getJSON(t, ts, "/__oaimock/journal", &jl)
	if n := len(jl.Data); n != 2 || jl.Data[0].Rule != "everything else" || jl.Data[1].Rule != "pong" {
		t.Errorf("journal rules %+v", jl.Data)
	}
}

// TestUsageDocumentsControlAPI: -h names every control route with its
// method, and every answer shape.
func TestUsageDocumentsControlAPI(t *testing.T) {
	t.Parallel()
	s := &server{}
	for _, rt := range s.controlRoutes() {
		if line := regexp.MustCompile(`(?m)^  ` + rt.method + ` +` + controlPrefix + rt.path + ` `); !line.MatchString(controlDoc) {
			t.Errorf("-h lacks %s %s%s", rt.method, controlPrefix, rt.path)
		}
	}
	for _, want := range []string{`{"object":"list","data":[`, `{"ok":true}`, `{"ok":true,"added":2,"position":"first"}`, `{"ok":false,"error":`, `"first" (default)`, `"last"`} {
		if !strings.Contains(controlDoc, want) {
			t.Errorf("-h lacks %s", want)
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelpProcess$")
	cmd.Env = append(os.Environ(), "OAIMOCK_HELP_PROCESS=1")
	out, _ := cmd.CombinedOutput()
	if !strings.Contains(string(out), controlDoc) || !strings.Contains(string(out), "-config") {
		t.Errorf("oaimock -h printed:\n%s", out)
	}
}

// TestHelpProcess is oaimock -h, run by TestUsageDocumentsControlAPI.
func TestHelpProcess(t *testing.T) {
	if os.Getenv("OAIMOCK_HELP_PROCESS") != "1" {
		t.Skip("run by TestUsageDocumentsControlAPI")
	}
	os.Args = []string{"oaimock", "-h"}
	main()
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// yamlTape is a tape written in YAML, as oaitest wrote them before tapes
// became JSON: oaimock still replays it.
const yamlTape = `interactions:
  - request:
      method: POST
      path: /v1/chat/completions
      body: |-
        {"model": "m", "messages": [{"role": "user", "content": "from yaml"}]}
    response:
      status: 200
      header: {Content-Type: application/json}
      body: '{"id":"c2","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"yaml tape"},"finish_reason":"stop"}]}'
`

// TestServesTapes replays tapes (JSON as oaitest saves them, and YAML)
// before the rules; other requests fall through to the rules.
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
	dir := t.TempDir()
	path := filepath.Join(dir, "t.oaitape.json")
	if err := tape.Save(path); err != nil {
		t.Fatal(err)
	}
	yamlPath := filepath.Join(dir, "old.oaitape.yaml")
	if err := writeFile(yamlPath, yamlTape); err != nil {
		t.Fatal(err)
	}
	_, client := start(t, "", path, yamlPath)
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
	c, err := client.Chat.Completions.New(context.Background(), user("m", "from yaml"))
	if err != nil || c.Choices[0].Message.Content != "yaml tape" {
		t.Errorf("yaml tape: %v %v", c, err)
	}
	c, err = client.Chat.Completions.New(context.Background(), user("m", "not recorded"))
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
