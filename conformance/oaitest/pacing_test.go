package oaitest_test

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"

	"github.com/oaicompat/oaicompat/oaitest"
)

var epoch = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// TestPacingFakeClock drives a paced stream with a manual clock: nothing
// arrives before the time to first token, then one token per advance.
func TestPacingFakeClock(t *testing.T) {
	t.Parallel()
	clock := oaitest.NewFakeClock(epoch)
	mock := oaitest.NewServer(t, oaitest.WithClock(clock))
	mock.On(nil).Reply(oaitest.Text("one two three").Pace(oaitest.Pacing{TTFT: 2 * time.Second, PerToken: 100 * time.Millisecond}))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	chunks := make(chan openai.ChatCompletionChunk)
	errc := make(chan error, 1)
	go func() {
		stream := newOpenAI(mock).Chat.Completions.NewStreaming(ctx, chatParams(replyCase{}))
		defer stream.Close()
		for stream.Next() {
			chunks <- stream.Current()
		}
		close(chunks)
		errc <- stream.Err()
	}()

	for i, want := range []struct {
		advance time.Duration
		text    string
	}{{2 * time.Second, "one"}, {100 * time.Millisecond, " two"}, {100 * time.Millisecond, " three"}} {
		if err := clock.WaitForSleepers(ctx, 1); err != nil {
			t.Fatal(err)
		}
		select {
		case c := <-chunks:
			t.Fatalf("token %d arrived before the clock moved: %s", i, c.RawJSON())
		default:
		}
		clock.Advance(want.advance)
		select {
		case c := <-chunks:
			if got := c.Choices[0].Delta.Content; got != want.text {
				t.Errorf("token %d = %q, want %q", i, got, want.text)
			}
			if c.Created != epoch.Unix() {
				t.Errorf("created = %d, want the clock's %d", c.Created, epoch.Unix())
			}
		case <-ctx.Done():
			t.Fatal("no token after advancing")
		}
	}
	for range chunks { // the finish chunk
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if got := clock.Now().Sub(epoch); got != 2200*time.Millisecond {
		t.Errorf("clock moved %v", got)
	}
}

// TestPacingAutoClock: an auto-advancing clock completes a paced reply at
// once; the seeded jitter makes the total reproducible and bounded.
func TestPacingAutoClock(t *testing.T) {
	t.Parallel()
	pace := func(seed uint64) time.Duration {
		clock := oaitest.NewAutoClock(epoch)
		mock := oaitest.NewServer(t, oaitest.WithClock(clock),
			oaitest.WithPacing(oaitest.Pacing{TTFT: time.Second, TokensPerSecond: 10, Jitter: 0.5, Seed: seed}))
		mock.On(nil).Reply(oaitest.Text(story))
		if _, _, err := streamText(t, newOpenAI(mock), context.Background()); err != nil {
			t.Fatal(err)
		}
		return clock.Now().Sub(epoch)
	}
	a, b, c := pace(1), pace(1), pace(2)
	if a != b {
		t.Errorf("same seed, different pacing: %v vs %v", a, b)
	}
	if a == c {
		t.Errorf("different seeds, same pacing %v", a)
	}
	n := time.Duration(oaitest.CountTokens(story) - 1)
	lo, hi := time.Second/2+n*50*time.Millisecond, 3*time.Second/2+n*150*time.Millisecond
	if a < lo || a > hi {
		t.Errorf("paced %v, want within [%v, %v]", a, lo, hi)
	}
}

// TestKeepAlive: while a reply waits for its first token, ": ping"
// comments keep the stream alive, and the client still parses it.
func TestKeepAlive(t *testing.T) {
	t.Parallel()
	clock := oaitest.NewFakeClock(epoch)
	mock := oaitest.NewServer(t, oaitest.WithClock(clock), oaitest.WithKeepAlive(time.Millisecond))
	mock.On(nil).Reply(oaitest.Text("late").Pace(oaitest.Pacing{TTFT: time.Minute}))
	resp, err := mock.HTTPClient().Post(mock.URL()+"/chat/completions", "application/json",
		strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	line, err := r.ReadString('\n')
	if err != nil || line != ": ping\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	clock.Advance(time.Minute)
	var sb strings.Builder
	for {
		line, err := r.ReadString('\n')
		sb.WriteString(line)
		if err != nil {
			break
		}
	}
	if s := sb.String(); !strings.Contains(s, `"content":"late"`) || !strings.HasSuffix(s, "data: [DONE]\n\n") {
		t.Errorf("rest of stream %q", s)
	}
}

// TestQuota: requests over the quota get 429 with the rate-limit headers
// until the window (on the mock's clock) ends.
func TestQuota(t *testing.T) {
	t.Parallel()
	clock := oaitest.NewFakeClock(epoch)
	mock := oaitest.NewServer(t, oaitest.WithClock(clock), oaitest.WithQuota(oaitest.Quota{Requests: 2, Window: time.Minute}))
	mock.On(nil).AnyTimes()
	body := `{"model":"m","messages":[{"role":"user","content":"hi"}]}`
	var statuses []int
	for range 3 {
		status, _ := post(t, mock, "/chat/completions", body)
		statuses = append(statuses, status)
	}
	clock.Advance(time.Minute)
	status, _ := post(t, mock, "/chat/completions", body)
	statuses = append(statuses, status)
	if got := fmt.Sprint(statuses); got != "[200 200 429 200]" {
		t.Errorf("statuses %s", got)
	}
	reqs := mock.Requests()
	h := reqs[2].ResponseHeader
	if h.Get("Retry-After") != "60" || h.Get("X-Ratelimit-Remaining-Requests") != "0" || h.Get("X-Ratelimit-Limit-Requests") != "2" {
		t.Errorf("429 headers %v", h)
	}
	if reqs[2].Err == nil || reqs[2].Err.Type != "requests" {
		t.Errorf("429 error %+v", reqs[2].Err)
	}
	if got := reqs[0].ResponseHeader.Get("X-Ratelimit-Remaining-Requests"); got != "1" {
		t.Errorf("remaining after the first request = %q", got)
	}

	tokens := oaitest.NewServer(t, oaitest.WithQuota(oaitest.Quota{Tokens: 10}))
	tokens.On(nil).Reply(oaitest.Text("x").Usage(8, 4)).AnyTimes()
	if s, _ := post(t, tokens, "/chat/completions", body); s != 200 {
		t.Errorf("first status %d", s)
	}
	if s, b := post(t, tokens, "/chat/completions", body); s != 429 || !strings.Contains(b, `"type":"tokens"`) {
		t.Errorf("over the token quota: %d %s", s, b)
	}
}
