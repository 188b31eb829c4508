package oaitest_test

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/oaicompat/oaicompat/oaitest"
)

var update = flag.Bool("update", false, "rewrite the golden tapes under testdata/")

const (
	goldenTape  = "testdata/chat.oaitape.json"
	upstreamKey = "sk-upstream-0123456789abcdefghij"
)

// fakeUpstream is the "real API" of the recorder tests: a mock on the
// given clock that checks it gets the upstream key.
func fakeUpstream(t *testing.T, clock oaitest.Clock) *oaitest.Mock {
	up := oaitest.NewServer(t, oaitest.WithClock(clock))
	auth := oaitest.Chat().Header("Authorization", oaitest.Equals("Bearer "+upstreamKey))
	up.On(auth.Stream(true)).Reply(oaitest.Text("Streamed: héllo wörld.").Pace(oaitest.Pacing{TTFT: 300 * time.Millisecond, PerToken: 40 * time.Millisecond}))
	up.On(auth.Stream(false)).Reply(oaitest.RateLimited(2*time.Millisecond), oaitest.ToolCalls(oaitest.ToolCall{ID: "call_1", Name: "get_weather", Arguments: `{"city":"Paris","unit":"c"}`}))
	return up
}

// exercise is the code under test: one streamed and one plain call (the
// plain one retried after a 429).
func exercise(t *testing.T, baseURL string) (streamed, called string) {
	t.Helper()
	client := openai.NewClient(option.WithBaseURL(baseURL), option.WithAPIKey("test-key"), option.WithMaxRetries(1))
	ctx := context.Background()
	text, _, err := streamText(t, &client, ctx)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Chat.Completions.New(ctx, chatParams(replyCase{}))
	if err != nil {
		t.Fatal(err)
	}
	return text, c.Choices[0].Message.ToolCalls[0].Function.Arguments
}

// TestRecordGolden records from a local fake upstream whose pacing runs on
// a manual clock that the test advances token by token, so the tape,
// timings included, is deterministic; it compares the tape with the
// golden one (go test -run RecordGolden -update rewrites it).
func TestRecordGolden(t *testing.T) {
	t.Parallel()
	clock := oaitest.NewFakeClock(epoch)
	up := fakeUpstream(t, clock)
	path := filepath.Join(t.TempDir(), "chat.oaitape.json")
	t.Run("record", func(t *testing.T) {
		rec := oaitest.NewRecorder(t, path, oaitest.RecordFrom(up.URL(), upstreamKey), oaitest.TapeClock(clock))
		if !rec.Recording() {
			t.Fatal("not recording")
		}
		client := openai.NewClient(option.WithBaseURL(rec.URL()), option.WithAPIKey("test-key"), option.WithMaxRetries(1))
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		pieces := make(chan string)
		errc := make(chan error, 1)
		go func() {
			stream := client.Chat.Completions.NewStreaming(ctx, chatParams(replyCase{}))
			defer stream.Close()
			for stream.Next() {
				pieces <- stream.Current().Choices[0].Delta.Content
			}
			close(pieces)
			errc <- stream.Err()
		}()
		var text strings.Builder
		for _, d := range []time.Duration{300, 40, 40, 40, 40} {
			if err := clock.WaitForSleepers(ctx, 1); err != nil {
				t.Fatal(err)
			}
			clock.Advance(d * time.Millisecond)
			text.WriteString(<-pieces) // the recorder timed it before passing it on
		}
		for p := range pieces {
			text.WriteString(p)
		}
		if err := <-errc; err != nil || text.String() != "Streamed: héllo wörld." {
			t.Fatalf("streamed %q, %v", text.String(), err)
		}
		c, err := client.Chat.Completions.New(ctx, chatParams(replyCase{}))
		if err != nil {
			t.Fatal(err)
		}
		if args := c.Choices[0].Message.ToolCalls[0].Function.Arguments; args != `{"city":"Paris","unit":"c"}` {
			t.Errorf("through the recorder: %q", args)
		}
	})
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{upstreamKey, "test-key", "Authorization"} {
		if strings.Contains(string(got), secret) {
			t.Errorf("tape holds %q", secret)
		}
	}
	if *update {
		if err := os.WriteFile(goldenTape, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(goldenTape)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("tape differs from %s (rerun with -update if intended):\n%s", goldenTape, got)
	}
	tape, err := oaitest.LoadTape(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tape.Interactions); n != 3 {
		t.Fatalf("%d interactions, want 3", n)
	}
	ev := tape.Interactions[0].Response.Events
	if ev[0].AtMS != 300 || ev[1].AtMS != 340 || ev[4].AtMS != 460 || !strings.HasPrefix(ev[0].Data, "data: {") || ev[len(ev)-1].Data != "data: [DONE]" {
		t.Errorf("events %+v", ev[:2])
	}
	if r := tape.Interactions[1].Response; r.Status != 429 || r.Header["Retry-After-Ms"] != "2" {
		t.Errorf("429 recorded as %+v", r)
	}
}

// TestReplay replays the golden tape with no upstream at all, at once and
// at the recorded pace on a fake clock.
func TestReplay(t *testing.T) {
	t.Parallel()
	for _, speed := range []float64{0, 1, 4} {
		clock := oaitest.NewAutoClock(epoch)
		rec := oaitest.NewRecorder(t, goldenTape, oaitest.ReplaySpeed(speed), oaitest.TapeClock(clock))
		if rec.Recording() {
			t.Fatal("recording")
		}
		text, args := exercise(t, rec.URL())
		if text != "Streamed: héllo wörld." || args != `{"city":"Paris","unit":"c"}` {
			t.Errorf("replayed %q %q", text, args)
		}
		want := time.Duration(0)
		if speed > 0 {
			tape, _ := oaitest.LoadTape(goldenTape)
			ev := tape.Interactions[0].Response.Events
			want = time.Duration(float64(time.Duration(ev[len(ev)-1].AtMS)*time.Millisecond) / speed)
		}
		if got := clock.Now().Sub(epoch); got != want {
			t.Errorf("speed %v: replay took %v on the clock, want %v", speed, got, want)
		}
	}
}

// TestReplayMiss: a request the tape does not hold fails with a diff.
func TestReplayMiss(t *testing.T) {
	t.Parallel()
	ftb := &failureTB{TB: t}
	rec := oaitest.NewRecorder(ftb, goldenTape)
	client := openai.NewClient(option.WithBaseURL(rec.URL()), option.WithAPIKey("k"), option.WithMaxRetries(2))
	p := chatParams(replyCase{})
	p.Messages = []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("Be brief."), openai.UserMessage("Bye")}
	_, err := client.Chat.Completions.New(context.Background(), p)
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 501 {
		t.Fatalf("err = %v", err)
	}
	expectFailure(t, ftb.failures(), "replay miss for POST /v1/chat/completions", "closest recorded request #2",
		`-       "content": "Hi there",`, `+       "content": "Bye",`)
}

// TestRecordRefusesSecrets: a tape that would hold an API key is not written.
func TestRecordRefusesSecrets(t *testing.T) {
	t.Parallel()
	up := oaitest.NewServer(t)
	up.On(nil).Reply(oaitest.Text("your key is sk-proj-ABCDEFGHIJKLMNOPQRSTUV"))
	path := filepath.Join(t.TempDir(), "leak.oaitape.json")
	ftb := &failureTB{TB: t}
	t.Run("record", func(t *testing.T) {
		ftb.TB = t
		rec := oaitest.NewRecorder(ftb, path, oaitest.RecordFrom(up.URL(), "local-key-123456"))
		client := openai.NewClient(option.WithBaseURL(rec.URL()), option.WithAPIKey("k"))
		if _, err := client.Chat.Completions.New(context.Background(), chatParams(replyCase{})); err != nil {
			t.Fatal(err)
		}
	})
	expectFailure(t, ftb.failures(), "refusing to write tape", "looks like an API key (sk-pro…)")
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("tape written: %v", err)
	}
}

// TestRecordFromEnv: OAITEST_RECORD selects tests to record, with the
// upstream and key from the environment (not parallel: it sets them).
func TestRecordFromEnv(t *testing.T) {
	up := fakeUpstream(t, oaitest.NewAutoClock(epoch))
	t.Setenv(oaitest.EnvRecord, "FromEnv")
	t.Setenv(oaitest.EnvUpstreamURL, up.URL())
	t.Setenv(oaitest.EnvUpstreamKey, upstreamKey)
	path := filepath.Join(t.TempDir(), "env.oaitape.json")
	t.Run("record", func(t *testing.T) {
		rec := oaitest.NewRecorder(t, path, oaitest.IgnoreFields("messages"))
		if !rec.Recording() {
			t.Fatal("not recording")
		}
		exercise(t, rec.URL())
	})
	tape, err := oaitest.LoadTape(path)
	if err != nil {
		t.Fatal(err)
	}
	if body := tape.Interactions[0].Request.Body; strings.Contains(body, "messages") || !strings.Contains(body, `"model": "gpt-4o-mini"`) {
		t.Errorf("canonical body %s", body)
	}
}
