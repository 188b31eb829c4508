package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/oaicompat/oaicompat/oaitest"
)

// startService runs the service against the mock and returns its URL.
func startService(t *testing.T, mock *oaitest.Mock) string {
	t.Helper()
	client := openai.NewClient(option.WithBaseURL(mock.URL()), option.WithAPIKey("test"),
		option.WithHTTPClient(mock.HTTPClient()), option.WithMaxRetries(2))
	svc := httptest.NewServer(newService(&client, "gpt-4o-mini"))
	t.Cleanup(svc.Close)
	return svc.URL
}

func ask(t *testing.T, url, question string) (int, map[string]string) {
	t.Helper()
	resp, err := http.Post(url+"/ask", "application/json", strings.NewReader(`{"question":`+quote(question)+`}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

// The two turns of a weather conversation.
var (
	askWeather = oaitest.Chat().Turn(0).HasTool("get_weather").LastUser(oaitest.Contains("Paris"))
	gotWeather = oaitest.Chat().ToolResult("get_weather")
	callTool   = oaitest.ToolCalls(oaitest.ToolCall{ID: "call_1", Name: "get_weather", Arguments: `{"city":"Paris"}`})
	finalText  = "It is 18°C and cloudy in Paris."
)

// TestAgentLoop: scripted turns; the test checks the answer and what the
// service sent at each turn.
func TestAgentLoop(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t)
	mock.Script(oaitest.Turn(askWeather, callTool), oaitest.Turn(gotWeather, oaitest.Text(finalText)))
	status, out := ask(t, startService(t, mock), "What's the weather in Paris?")
	if status != 200 || out["answer"] != finalText {
		t.Fatalf("%d %v", status, out)
	}
	reqs := mock.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	first, second := reqs[0], reqs[1]
	oaitest.AssertRoles(t, first, "system", "user")
	oaitest.AssertParam(t, first, "stream", true)
	oaitest.AssertParam(t, first, "stream_options.include_usage", true)
	oaitest.AssertParam(t, first, "tools[0].function.strict", true)
	oaitest.AssertRoles(t, second, "system", "user", "assistant", "tool")
	oaitest.AssertParam(t, second, "messages[2].tool_calls[0].function.arguments", `{"city":"Paris"}`)
	oaitest.AssertToolResult(t, second, "call_1", oaitest.Equals("Paris: 18°C, cloudy"))
}

// TestAgentRetries429: the SDK inside the service retries a rate-limited
// turn after the Retry-After the mock asked for.
func TestAgentRetries429(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t)
	mock.Script(
		oaitest.Turn(askWeather, oaitest.RateLimited(30*time.Millisecond), callTool).Times(2),
		oaitest.Turn(gotWeather, oaitest.Text(finalText)),
	)
	if status, out := ask(t, startService(t, mock), "Weather in Paris?"); status != 200 || out["answer"] != finalText {
		t.Fatalf("%d %v", status, out)
	}
	mock.AssertRetried(t, http.StatusTooManyRequests)
	mock.AssertBackoff(t)
	if reqs := mock.Requests(); len(reqs) != 3 || reqs[1].RetryCount != 1 {
		t.Errorf("requests: %d, retry count of the second %d", len(reqs), reqs[1].RetryCount)
	}
}

// TestAgentMidStreamDisconnect: the final answer's stream breaks after two
// events; the service retries the turn itself and still answers.
func TestAgentMidStreamDisconnect(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t)
	mock.Script(
		oaitest.Turn(askWeather, callTool),
		oaitest.Turn(gotWeather, oaitest.Text(finalText).DisconnectAfter(2), oaitest.Text(finalText)),
	)
	if status, out := ask(t, startService(t, mock), "Weather in Paris?"); status != 200 || out["answer"] != finalText {
		t.Fatalf("%d %v", status, out)
	}
	reqs := mock.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests", len(reqs))
	}
	// The service resent the same turn: same body, a second attempt that
	// the SDK did not count as a retry of its own.
	if reqs[2].Attempt != 2 || reqs[2].RetryCount != 0 || string(reqs[2].Body) != string(reqs[1].Body) {
		t.Errorf("resent turn: attempt %d, retry count %d", reqs[2].Attempt, reqs[2].RetryCount)
	}
}

// TestAgentTurnLimit: a model that never stops calling tools makes the
// service give up with a 502 after its turn limit.
func TestAgentTurnLimit(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t)
	mock.On(oaitest.Chat().HasTool("get_weather")).Reply(callTool).AnyTimes()
	status, out := ask(t, startService(t, mock), "Weather in Paris?")
	if status != http.StatusBadGateway || !strings.Contains(out["error"], "turn limit") {
		t.Errorf("%d %v", status, out)
	}
	if n := len(mock.Requests()); n != 4 {
		t.Errorf("%d requests, want the limit of 4", n)
	}
}
