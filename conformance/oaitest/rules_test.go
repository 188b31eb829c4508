package oaitest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"

	"github.com/oaicompat/oaicompat/oaitest"
)

// TestMatchers checks each condition both ways.
func TestMatchers(t *testing.T) {
	t.Parallel()
	const body = `{"model":"gpt-4o","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Weather in Paris?"},` +
		`{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},` +
		`{"role":"tool","tool_call_id":"call_1","content":"22°C"}],` +
		`"tools":[{"type":"function","function":{"name":"get_weather"}}]}`
	cases := []struct {
		name  string
		match *oaitest.Match
		ok    bool
	}{
		{"model", oaitest.Chat().Model("gpt-4o"), true},
		{"model differs", oaitest.Chat().Model("gpt-4o-mini"), false},
		{"endpoint differs", oaitest.Embeddings(), false},
		{"last user contains", oaitest.Chat().LastUser(oaitest.Contains("Paris")), true},
		{"last user equals", oaitest.Chat().LastUser(oaitest.Equals("Weather in Paris?")), true},
		{"last user regexp", oaitest.Chat().LastUser(oaitest.Regexp(`(?i)^weather`)), true},
		{"last user regexp fails", oaitest.Chat().LastUser(oaitest.Regexp(`London`)), false},
		{"system", oaitest.Chat().System(oaitest.Contains("terse")), true},
		{"any message", oaitest.Chat().AnyMessage(oaitest.Equals("22°C")), true},
		{"any message fails", oaitest.Chat().AnyMessage(oaitest.Equals("23°C")), false},
		{"has tool", oaitest.Chat().HasTool("get_weather"), true},
		{"has tool fails", oaitest.Chat().HasTool("search"), false},
		{"tool result by name", oaitest.Chat().ToolResult("get_weather"), true},
		{"tool result by id", oaitest.Chat().ToolResult("call_1"), true},
		{"tool result fails", oaitest.Chat().ToolResult("call_2"), false},
		{"turn", oaitest.Chat().Turn(1), true},
		{"turn fails", oaitest.Chat().Turn(0), false},
		{"stream", oaitest.Chat().Stream(false), true},
		{"header", oaitest.Chat().Header("x-tenant", oaitest.Equals("acme")), true},
		{"predicate", oaitest.Chat().Where("two tools?", func(r *oaitest.Request) bool { return len(r.Chat.Tools) == 2 }), false},
		{"any request", oaitest.AnyRequest(), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mock, failures := recordingServer(t)
			mock.On(tc.match)
			req, _ := http.NewRequest("POST", mock.URL()+"/chat/completions", strings.NewReader(body))
			req.Header.Set("X-Tenant", "acme")
			resp, err := mock.HTTPClient().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.StatusCode == 200; got != tc.ok {
				t.Errorf("matched = %v, want %v (status %d)", got, tc.ok, resp.StatusCode)
			}
			f := failures()
			if tc.ok && len(f) != 0 || !tc.ok && len(f) != 2 { // unmatched request + unmet rule
				t.Errorf("failures: %q", f)
			}
		})
	}
}

// TestNearMiss checks the messages for an unmatched request and an unmet
// rule: the closest rule or request, and each difference.
func TestNearMiss(t *testing.T) {
	t.Parallel()
	mock, failures := recordingServer(t)
	mock.On(oaitest.Embeddings())
	mock.On(oaitest.Chat().Model("gpt-4o").LastUser(oaitest.Contains("weather"))).Named("weather")
	client := newOpenAI(mock)
	_, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: "gpt-4o-mini", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What's the weather?")}})
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 501 || !strings.Contains(apiErr.Message, `closest rule "weather"`) {
		t.Fatalf("err = %v", err)
	}
	if n := len(mock.Requests()); n != 1 {
		t.Errorf("%d requests: the no-match answer must not be retried", n)
	}
	got := failures()
	want := []string{
		`oaitest: request #1 POST /v1/chat/completions matched no rule; closest rule "weather": model: want "gpt-4o", got "gpt-4o-mini"`,
		`oaitest: rule #1 (endpoint "embeddings") was called 0 time(s), want 1; closest request #1 POST /v1/chat/completions: endpoint: want "embeddings", got "chat.completions"`,
		`oaitest: rule "weather" was called 0 time(s), want 1; closest request #1 POST /v1/chat/completions: model: want "gpt-4o", got "gpt-4o-mini"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCardinality: Times, Once, AnyTimes, replies in order, exhaustion.
func TestCardinality(t *testing.T) {
	t.Parallel()
	mock, failures := recordingServer(t)
	seq := mock.On(oaitest.Chat().LastUser(oaitest.Equals("seq"))).Reply(oaitest.Text("one"), oaitest.Text("two"))
	many := mock.On(oaitest.Chat().LastUser(oaitest.Equals("many"))).Reply(oaitest.Text("again")).AnyTimes()
	three := mock.On(oaitest.Chat().LastUser(oaitest.Equals("three"))).Reply(oaitest.Text("a"), oaitest.Text("b")).Times(3)
	client := newOpenAI(mock)
	ask := func(q string) string {
		c, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
			Model: "m", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(q)}})
		if err != nil {
			return "error"
		}
		return c.Choices[0].Message.Content
	}
	got := []string{ask("seq"), ask("seq"), ask("seq"), ask("many"), ask("many"), ask("three"), ask("three"), ask("three")}
	want := []string{"one", "two", "error", "again", "again", "a", "b", "b"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("answers %q, want %q", got, want)
	}
	if seq.Calls() != 2 || many.Calls() != 2 || three.Calls() != 3 {
		t.Errorf("calls %d %d %d", seq.Calls(), many.Calls(), three.Calls())
	}
	expectFailure(t, failures(), "request #3", "exhausted (2 of 2 calls)")
}

// TestScript: turns answer in order, and a turn waits for the one before.
func TestScript(t *testing.T) {
	t.Parallel()
	mock, failures := recordingServer(t)
	mock.Script(
		oaitest.Turn(oaitest.Chat().Turn(0), oaitest.ToolCalls(oaitest.ToolCall{ID: "call_w", Name: "get_weather", Arguments: `{"city":"Paris","unit":"c"}`})),
		oaitest.Turn(oaitest.Chat().ToolResult("call_w"), oaitest.Text("22°C in Paris.")),
	)
	client := newOpenAI(mock)
	p := chatParams(replyCase{})
	p.Tools = []openai.ChatCompletionToolUnionParam{weatherTool}
	first, err := client.Chat.Completions.New(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	p.Messages = append(p.Messages, first.Choices[0].Message.ToParam(), openai.ToolMessage("22", first.Choices[0].Message.ToolCalls[0].ID))
	second, err := client.Chat.Completions.New(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if second.Choices[0].Message.Content != "22°C in Paris." {
		t.Errorf("second answer %q", second.Choices[0].Message.Content)
	}
	last := mock.LastRequest()
	oaitest.AssertRoles(t, last, "system", "user", "assistant", "tool")
	oaitest.AssertToolResult(t, last, "get_weather", oaitest.Equals("22"))
	oaitest.AssertParam(t, last, "tools[0].function.name", "get_weather")
	oaitest.AssertParam(t, last, "temperature", nil)
	if last.Rule != "#2" || mock.Requests()[0].Rule != "#1" {
		t.Errorf("rules %q %q", mock.Requests()[0].Rule, last.Rule)
	}
	if f := failures(); len(f) != 0 {
		t.Errorf("failures %q", f)
	}

	// Out of order: the second turn cannot answer before the first.
	mock2, failures2 := recordingServer(t)
	mock2.Script(oaitest.Turn(oaitest.Chat().Model("a")), oaitest.Turn(oaitest.Chat().Model("b")))
	_, err = newOpenAI(mock2).Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: "b", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}})
	if err == nil {
		t.Fatal("turn 2 answered before turn 1")
	}
	f := failures2()
	if len(f) != 3 || !strings.Contains(f[0], "waits for the script's previous turn #1") {
		t.Errorf("failures %q", f)
	}
}

// TestAssertionsFail checks that the assertion helpers do fail.
func TestAssertionsFail(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t)
	mock.On(nil)
	if _, err := newOpenAI(mock).Chat.Completions.New(context.Background(), chatParams(replyCase{})); err != nil {
		t.Fatal(err)
	}
	r := mock.LastRequest()
	ftb := &failureTB{TB: t}
	oaitest.AssertRoles(ftb, r, "user")
	oaitest.AssertToolResult(ftb, r, "call_1", oaitest.Contains("x"))
	oaitest.AssertParam(ftb, r, "model", "gpt-4o")
	oaitest.AssertParam(ftb, r, "messages[0].role", "system")
	mock.AssertRetried(ftb, 429)
	got := ftb.failures()
	want := []string{
		`request #1: roles = ["system" "user"], want ["user"]`,
		`request #1: no tool result for "call_1"`,
		`request #1: model = "gpt-4o-mini", want "gpt-4o"`,
		`oaitest: no request answered 429 was retried (0 answered 429)`,
	}
	if len(got) != len(want) {
		t.Fatalf("failures %q", got)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("failure %d = %q, want prefix %q", i, got[i], want[i])
		}
	}
	if r.Header.Get("Authorization") != "Bearer [REDACTED]" {
		t.Errorf("Authorization in the journal = %q", r.Header.Get("Authorization"))
	}
}

// TestMultipleChoices: n>1 is one rule match answering every choice.
func TestMultipleChoices(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t)
	mock.On(nil).Reply(oaitest.Text("same"))
	p := chatParams(replyCase{})
	p.N = openai.Int(3)
	c, err := newOpenAI(mock).Chat.Completions.New(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Choices) != 3 || c.Choices[2].Message.Content != "same" || c.Choices[2].Index != 2 {
		t.Errorf("choices %+v", c.Choices)
	}
}
