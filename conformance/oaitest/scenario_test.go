package oaitest_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/oaicompat/oaicompat/oaitest"
)

// scenarioDoc uses every reply key of the scenario format.
const scenarioDoc = `{
  "strict": true,
  "models": ["a", "b"],
  "split_writes": 5,
  "quota": {"requests": 100},
  "rules": [
    {"match": {"last_user": {"equals": "text"}},
     "reply": {"text": "plain", "finish": "length", "usage": {"prompt": 5, "completion": 1}, "headers": {"X-Extra": "yes"}}},
    {"match": {"last_user": {"equals": "refusal"}}, "reply": {"refusal": "no"}},
    {"match": {"last_user": {"equals": "tools"}},
     "reply": {"tool_calls": [{"id": "c1", "name": "f", "arguments": "{\"x\":1}"}, {"name": "g", "arguments": {"y": [2]}}]}},
    {"match": {"last_user": {"equals": "json"}}, "reply": {"json": {"k": [1, "two"]}}},
    {"match": {"last_user": {"equals": "error"}},
     "reply": {"error": {"status": 409, "message": "busy", "code": "conflict", "type": "custom_type"}, "should_retry": false}},
    {"match": {"last_user": {"equals": "faults"}, "stream": true}, "times": 3, "replies": [
      {"text": "a b c d", "malformed_chunk": 2},
      {"text": "a b c d", "error_after": {"tokens": 1, "status": 500, "message": "boom"}},
      {"text": "a b c d", "no_done": true, "pacing": {"ttft": "1ms", "tokens_per_second": 1000}}]},
    {"match": {"endpoint": "embeddings"}, "reply": {"vectors": [[0.6, 0.8]]}},
    {"match": {"endpoint": "models"}, "reply": {"models": ["x", "y", "z"]}},
    {"match": {"turn": 1, "headers": {"X-Tenant": {"regexp": "^ac"}}, "system": {"contains": "sys"}, "any_message": {"contains": "earlier"}},
     "reply": {"text": "matched"}}
  ]
}`

func TestScenario(t *testing.T) {
	t.Parallel()
	sc, err := oaitest.ParseScenario([]byte(scenarioDoc))
	if err != nil {
		t.Fatal(err)
	}
	mock := oaitest.NewServer(t, sc.Options()...)
	if err := sc.Apply(mock); err != nil {
		t.Fatal(err)
	}
	client := newOpenAI(mock)
	ctx := context.Background()
	ask := func(q string) (*openai.ChatCompletion, error) {
		return client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "a", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(q)}})
	}
	c, err := ask("text")
	if err != nil || c.Choices[0].Message.Content != "plain" || c.Choices[0].FinishReason != "length" || c.Usage.TotalTokens != 6 {
		t.Errorf("text: %v %v", c, err)
	}
	if h := mock.LastRequest().ResponseHeader; h.Get("X-Extra") != "yes" || h.Get("X-Ratelimit-Limit-Requests") != "100" {
		t.Errorf("headers %v", h)
	}
	if c, err = ask("refusal"); err != nil || c.Choices[0].Message.Refusal != "no" {
		t.Errorf("refusal: %v", err)
	}
	if c, err = ask("tools"); err != nil || len(c.Choices[0].Message.ToolCalls) != 2 ||
		c.Choices[0].Message.ToolCalls[0].ID != "c1" || c.Choices[0].Message.ToolCalls[1].Function.Arguments != `{"y":[2]}` {
		t.Errorf("tools: %+v %v", c.Choices[0].Message.ToolCalls, err)
	}
	if c, err = ask("json"); err != nil || c.Choices[0].Message.Content != `{"k":[1,"two"]}` {
		t.Errorf("json: %v", err)
	}
	_, err = ask("error")
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 409 || apiErr.Code != "conflict" || apiErr.Type != "custom_type" || len(mock.Requests()) != 5 {
		t.Errorf("error: %v (409 must not be retried under x-should-retry: false)", err)
	}
	for i, want := range []string{"a", "a", "a b c d"} {
		p := chatParams(replyCase{})
		p.Messages = []openai.ChatCompletionMessageParamUnion{openai.UserMessage("faults")}
		stream := client.Chat.Completions.NewStreaming(ctx, p)
		var text strings.Builder
		for stream.Next() {
			text.WriteString(stream.Current().Choices[0].Delta.Content)
		}
		if text.String() != want || (i < 2) != (stream.Err() != nil) {
			t.Errorf("fault %d: %q, %v", i, text.String(), stream.Err())
		}
	}
	e, err := client.Embeddings.New(ctx, embeddingParams("x"))
	if err != nil || len(e.Data[0].Embedding) != 2 || math.Abs(e.Data[0].Embedding[1]-0.8) > 1e-6 {
		t.Errorf("vectors: %v", err)
	}
	page, err := client.Models.List(ctx)
	if err != nil || len(page.Data) != 3 {
		t.Errorf("models: %v", err)
	}
	p := openai.ChatCompletionNewParams{Model: "b", Messages: []openai.ChatCompletionMessageParamUnion{
		openai.SystemMessage("sys prompt"), openai.UserMessage("earlier"), openai.AssistantMessage("ok"), openai.UserMessage("now")}}
	if c, err = client.Chat.Completions.New(ctx, p, option.WithHeader("X-Tenant", "acme")); err != nil || c.Choices[0].Message.Content != "matched" {
		t.Errorf("match keys: %v", err)
	}
}

func TestScenarioErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ doc, want string }{
		{`{"rules": [{"match": {"modle": "x"}}]}`, `rules[0]: json: unknown field "modle"`},
		{`{"rules": [{"reply": {"text": "a", "refusal": "b"}}]}`, "rules[0]: replies[0]: a reply has one of"},
		{`{"rules": [{"match": {"last_user": {"regexp": "("}}}]}`, "rules[0]: match: last_user: regexp:"},
		{`{"rules": [{}, {"match": {"last_user": {}}}]}`, "rules[1]: match: last_user: want one of equals, contains or regexp"},
		{`{"rules": [{"match": {"endpoint": "audio"}}]}`, `endpoint "audio"`},
		{`{"pacing": {"ttft": "soon"}}`, `"soon" is not a duration`},
		{`{"rules": [{"times": "often"}]}`, `times: "often" is not a count or "any"`},
		{`{"rules": [{"reply": {"error": {"status": 200}}}]}`, "error status 200"},
		{`{"rules": [{"reply": {"tool_calls": [{"arguments": "{}"}]}}]}`, "tool_calls[0]: name is required"},
		{`{"script": [{"reply": {"images": [{"b64_json": "%%%"}]}}]}`, "script[0]: replies[0]: images[0].b64_json"},
		{`rules: []`, "invalid character"}, // YAML is cmd/oaimock's business
	} {
		_, err := oaitest.ParseScenario([]byte(c.doc))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.doc, err, c.want)
		}
	}
}

// TestScenarioPrepend: rules a scenario prepends take precedence over a
// catch-all added before them; Apply puts them after it.
func TestScenarioPrepend(t *testing.T) {
	t.Parallel()
	sc, err := oaitest.ParseScenario([]byte(`{"rules": [{"name": "late", "match": {"last_user": {"equals": "hi"}}, "reply": {"text": "specific"}}],
		"script": [{"name": "turn", "match": {"last_user": {"equals": "step"}}, "reply": {"text": "scripted"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	ask := func(client *openai.Client, q string) string {
		t.Helper()
		c, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: "m", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(q)}})
		if err != nil {
			t.Fatal(err)
		}
		return c.Choices[0].Message.Content
	}
	mock := oaitest.NewServer(t)
	mock.On(nil).Reply(oaitest.Text("catch-all")).AnyTimes().Named("catch-all")
	if err := sc.Prepend(mock); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range mock.Rules() {
		names = append(names, r.Name())
	}
	if strings.Join(names, ",") != "late,turn,catch-all" {
		t.Errorf("order %q", names)
	}
	client := newOpenAI(mock)
	if got := ask(client, "hi") + "|" + ask(client, "step") + "|" + ask(client, "hi"); got != "specific|scripted|catch-all" {
		t.Errorf("prepended: %q", got)
	}

	after := oaitest.NewServer(t)
	after.On(nil).Reply(oaitest.Text("catch-all")).AnyTimes()
	if err := sc.Apply(after); err != nil {
		t.Fatal(err)
	}
	if got := ask(newOpenAI(after), "hi"); got != "catch-all" {
		t.Errorf("applied after the catch-all: %q", got)
	}
	for _, r := range after.Rules()[1:] {
		if least, most := r.Expected(); least != 1 || most != 1 || r.Calls() != 0 {
			t.Errorf("rule %s: expects %d..%d, called %d", r, least, most, r.Calls())
		}
	}
	after.Reset() // the scenario's rules were never called: not a failure of this test
}
