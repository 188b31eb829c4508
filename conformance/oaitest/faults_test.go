package oaitest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/oaitest"
)

// TestRetriedOn429WithBackoff: openai-go retries 429s, waits at least what
// retry-after-ms asks, and counts X-Stainless-Retry-Count 0, 1, 2.
func TestRetriedOn429WithBackoff(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t)
	mock.On(nil).Reply(oaitest.RateLimited(40*time.Millisecond), oaitest.RateLimited(60*time.Millisecond), oaitest.Text("finally"))
	client := newOpenAI(mock, option.WithMaxRetries(3))
	c, err := client.Chat.Completions.New(context.Background(), chatParams(replyCase{}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Choices[0].Message.Content != "finally" {
		t.Errorf("content = %q", c.Choices[0].Message.Content)
	}
	reqs := mock.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	for i, r := range reqs {
		if r.Attempt != i+1 || r.RetryCount != i {
			t.Errorf("request %d: attempt %d, retry count %d", i, r.Attempt, r.RetryCount)
		}
	}
	if reqs[0].ResponseHeader.Get("Retry-After") != "1" || reqs[0].ResponseHeader.Get("Retry-After-Ms") != "40" {
		t.Errorf("429 headers = %v", reqs[0].ResponseHeader)
	}
	mock.AssertRetried(t, http.StatusTooManyRequests)
	mock.AssertBackoff(t)
	if gap := reqs[2].At.Sub(reqs[1].At); gap < 60*time.Millisecond {
		t.Errorf("second retry after %v, want >= 60ms", gap)
	}
}

// TestRetryAfterDate: an HTTP-date Retry-After is honoured too.
func TestRetryAfterDate(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t)
	mock.On(nil).Reply(oaitest.Error(503, "").RetryAfterDate(time.Now().Add(time.Second)), oaitest.Text("ok"))
	client := newOpenAI(mock, option.WithMaxRetries(1))
	if _, err := client.Chat.Completions.New(context.Background(), chatParams(replyCase{})); err != nil {
		t.Fatal(err)
	}
	if _, err := http.ParseTime(mock.Requests()[0].ResponseHeader.Get("Retry-After")); err != nil {
		t.Errorf("Retry-After is not an HTTP date: %v", err)
	}
	mock.AssertRetried(t, 503)
	mock.AssertBackoff(t)
}

// TestNotRetried: 400 is not retried, and x-should-retry overrides the
// status both ways.
func TestNotRetried(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		reply   *oaitest.Reply
		status  int
		retried bool
	}{
		{"400", oaitest.Error(400, "bad"), 400, false},
		{"500 with x-should-retry false", oaitest.Error(500, "").ShouldRetry(false), 500, false},
		{"400 with x-should-retry true", oaitest.Error(400, "").ShouldRetry(true).Header("Retry-After-Ms", "1"), 400, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mock := oaitest.NewServer(t)
			rule := mock.On(nil).Reply(tc.reply).AnyTimes()
			client := newOpenAI(mock, option.WithMaxRetries(2))
			_, err := client.Chat.Completions.New(context.Background(), chatParams(replyCase{}))
			var apiErr *openai.Error
			if !errors.As(err, &apiErr) || apiErr.StatusCode != tc.status {
				t.Fatalf("err = %v", err)
			}
			if tc.retried {
				mock.AssertRetried(t, tc.status)
				if rule.Calls() != 3 {
					t.Errorf("%d calls, want 3", rule.Calls())
				}
			} else {
				mock.AssertNotRetried(t, tc.status)
				if rule.Calls() != 1 {
					t.Errorf("%d calls, want 1", rule.Calls())
				}
			}
		})
	}
}

// streamText streams a chat request through openai-go and returns the
// text received and the stream's error.
func streamText(t *testing.T, client *openai.Client, ctx context.Context) (string, int, error) {
	t.Helper()
	p := chatParams(replyCase{})
	stream := client.Chat.Completions.NewStreaming(ctx, p)
	defer stream.Close()
	var sb strings.Builder
	chunks := 0
	for stream.Next() {
		chunks++
		for _, ch := range stream.Current().Choices {
			sb.WriteString(ch.Delta.Content)
		}
	}
	return sb.String(), chunks, stream.Err()
}

const story = "The quick brown fox jumps over the lazy dog. Ünïcödé ✓ 日本語 text."

// TestStreamFaults plays each stream fault through openai-go and checks
// what the SDK surfaces.
func TestStreamFaults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		reply   *oaitest.Reply
		text    string // what the client got
		chunks  int
		wantErr func(error) bool
	}{
		{name: "disconnect after 2 chunks", reply: oaitest.Text(story).DisconnectAfter(2),
			text: "The quick", chunks: 2, wantErr: func(err error) bool { return err != nil }},
		{name: "malformed chunk 3", reply: oaitest.Text(story).MalformedChunk(3),
			text: "The quick", chunks: 2, wantErr: func(err error) bool { return err != nil }},
		{name: "in-band error after 2 tokens", reply: oaitest.Text(story).ErrorAfter(2, oaicompat.ServerError("model overloaded")),
			text: "The quick", chunks: 2, wantErr: func(err error) bool {
				return err != nil && strings.Contains(err.Error(), "model overloaded")
			}},
		{name: "split writes", reply: oaitest.Text(story).SplitWrites(7), text: story, chunks: oaitest.CountTokens(story) + 1,
			wantErr: func(err error) bool { return err == nil }},
		{name: "missing [DONE]", reply: oaitest.Text(story).NoDone(), text: story, chunks: oaitest.CountTokens(story) + 1,
			wantErr: func(err error) bool { return err == nil }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mock := oaitest.NewServer(t)
			mock.On(nil).Reply(tc.reply)
			text, chunks, err := streamText(t, newOpenAI(mock), context.Background())
			if text != tc.text || chunks != tc.chunks {
				t.Errorf("got %q in %d chunks, want %q in %d", text, chunks, tc.text, tc.chunks)
			}
			if !tc.wantErr(err) {
				t.Errorf("stream error = %v", err)
			}
		})
	}
}

// TestRawStreamFaults checks the bytes of the faults SDKs may paper over.
func TestRawStreamFaults(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t)
	mock.On(nil).Reply(oaitest.Text("a b").NoDone(), oaitest.Text("a b").ErrorAfter(1, oaicompat.ServerError("boom")))
	body := `{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}`
	get := func() string {
		resp, err := mock.HTTPClient().Post(mock.URL()+"/chat/completions", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got := get(); strings.Contains(got, "[DONE]") || !strings.HasSuffix(got, `"finish_reason":"stop"}]}`+"\n\n") {
		t.Errorf("NoDone stream ends %q", got[max(0, len(got)-80):])
	}
	want := `data: {"error":{"message":"boom","type":"server_error","param":null,"code":null}}` + "\n\ndata: [DONE]\n\n"
	if got := get(); !strings.HasSuffix(got, want) || strings.Count(got, "data: ") != 3 {
		t.Errorf("in-band error stream = %q", got)
	}
}

// TestDisconnectBeforeHeadersIsRetried: DisconnectAfter(0) resets the
// connection, which the SDK retries.
func TestDisconnectBeforeHeadersIsRetried(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t)
	mock.On(nil).Reply(oaitest.Text("never").DisconnectAfter(0), oaitest.Text("ok"))
	client := newOpenAI(mock, option.WithMaxRetries(1))
	c, err := client.Chat.Completions.New(context.Background(), chatParams(replyCase{}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Choices[0].Message.Content != "ok" {
		t.Errorf("content %q", c.Choices[0].Message.Content)
	}
	if reqs := mock.Requests(); len(reqs) != 2 || reqs[0].Status != 0 || reqs[1].Attempt != 2 {
		t.Errorf("journal: %d requests, first status %d", len(reqs), reqs[0].Status)
	}
}

// TestHangAndStall: a hanging or stalled reply holds until the client
// gives up; the client sees its own timeout or cancellation.
func TestHangAndStall(t *testing.T) {
	t.Parallel()
	mock := oaitest.NewServer(t)
	mock.On(oaitest.Chat().Stream(false)).Reply(oaitest.Hang())
	mock.On(oaitest.Chat().Stream(true)).Reply(oaitest.Text(story).StallAfter(2))
	client := newOpenAI(mock)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := client.Chat.Completions.New(ctx, chatParams(replyCase{})); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hang: err = %v, want deadline exceeded", err)
	}

	// The stalled stream gives two tokens, then nothing until the client
	// cancels (no timing involved).
	ctx2, cancel2 := context.WithCancel(context.Background())
	stream := client.Chat.Completions.NewStreaming(ctx2, chatParams(replyCase{}))
	defer stream.Close()
	var text string
	for range 2 {
		if !stream.Next() {
			t.Fatalf("stream ended early: %v", stream.Err())
		}
		text += stream.Current().Choices[0].Delta.Content
	}
	cancel2()
	if stream.Next() || !errors.Is(stream.Err(), context.Canceled) || text != "The quick" {
		t.Errorf("stall: got %q, %v", text, stream.Err())
	}
}
