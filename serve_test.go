package oaicompat_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat"
)

// callRecord is what TestCallInfoSameForStreamAndNot compares: everything
// in a CallInfo but the stream flag and the time of the first output.
type callRecord struct {
	Status         int
	Endpoint       string
	Model          string
	Usage          oaicompat.Usage
	UsageEstimated bool
	FinishReasons  []string
	ErrStatus      int
	ErrCode        string
}

// recordCalls serves h behind a middleware that keeps each request's
// CallInfo; the returned function makes a request and returns its record.
func recordCalls(t *testing.T, h http.Handler) func(path, body string) callRecord {
	t.Helper()
	infos := make(chan *oaicompat.CallInfo, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, ci := oaicompat.NewCallInfoContext(r.Context())
		h.ServeHTTP(w, r.WithContext(ctx))
		infos <- ci
	}))
	t.Cleanup(srv.Close)
	return func(path, body string) callRecord {
		res, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		ci := <-infos
		rec := callRecord{Status: res.StatusCode, Endpoint: ci.Endpoint, Model: ci.Model, Usage: ci.Usage,
			UsageEstimated: ci.UsageEstimated, FinishReasons: ci.FinishReasons}
		if ci.Err != nil {
			rec.ErrStatus, rec.ErrCode = ci.Err.Status, ci.Err.Code
		}
		return rec
	}
}

// withStream returns body, a JSON object, with "stream":true added, and
// noStream the same length with "stream":false, so that estimates from the
// body's size agree.
func withStream(body string) string { return `{"stream":true ,` + body[1:] }
func noStream(body string) string   { return `{"stream":false,` + body[1:] }

// TestCallInfoSameForStreamAndNot: middleware learn the same about a request
// (status, endpoint, model, usage, finish reasons, error) whether it
// streams or not, on every dialect, with n>1, several prompts, and a
// Responder backend.
func TestCallInfoSameForStreamAndNot(t *testing.T) {
	translated := recordCalls(t, oaicompat.NewHandler(&dialectBackend{}))
	native := recordCalls(t, oaicompat.NewHandler(&native{}))
	silent := recordCalls(t, oaicompat.NewHandler(oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		return w.WriteText("twelve bytes")
	})))
	failing := recordCalls(t, oaicompat.NewHandler(oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		return oaicompat.RateLimited(time.Second, "slow down")
	})))
	tests := []struct {
		name   string
		serve  func(path, body string) callRecord
		path   string
		body   string
		reason []string
		usage  int // total tokens
	}{
		{"chat", translated, "/v1/chat/completions", `{"model":"m1","messages":[{"role":"user","content":"a b"}]}`, []string{"stop"}, 15},
		{"chat n=3", translated, "/v1/chat/completions", `{"model":"m1","n":3,"messages":[{"role":"user","content":"a b"}]}`,
			[]string{"stop", "stop", "stop"}, 10 + 3*5},
		{"chat length", translated, "/v1/chat/completions", `{"model":"m1","max_tokens":1,"messages":[{"role":"user","content":"a b"}]}`, []string{"length"}, 15},
		{"chat tool call", translated, "/v1/chat/completions", `{"model":"m1","messages":[{"role":"user","content":"weather?"}],` +
			`"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]}`, []string{"tool_calls"}, 15},
		{"chat without usage", silent, "/v1/chat/completions", `{"model":"m1","messages":[{"role":"user","content":"a"}]}`, []string{"stop"}, 0},
		{"chat error", failing, "/v1/chat/completions", `{"model":"m1","messages":[{"role":"user","content":"a"}]}`, []string{""}, 0},
		{"completions 2 prompts n=2", translated, "/v1/completions", `{"model":"m1","n":2,"prompt":["a","b"]}`,
			[]string{"stop", "stop", "stop", "stop"}, 2 * (10 + 2*5)},
		{"completions max_tokens 0", translated, "/v1/completions", `{"model":"m1","max_tokens":0,"prompt":["a","b"]}`,
			[]string{"length", "length"}, 0},
		{"completions echo", translated, "/v1/completions", `{"model":"m1","echo":true,"max_tokens":1,"prompt":"a b"}`, []string{"length"}, 15},
		{"responses", translated, "/v1/responses", `{"model":"m1","input":"a b"}`, []string{"stop"}, 15},
		{"responses Responder", native, "/v1/responses", `{"model":"m1","input":"a b"}`, []string{"stop"}, 0},
		{"responses invalid", translated, "/v1/responses", `{"model":"m1","input":[]}`, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain := tt.serve(tt.path, noStream(tt.body))
			streamed := tt.serve(tt.path, withStream(tt.body))
			if !reflect.DeepEqual(plain, streamed) {
				t.Fatalf("CallInfo differs:\n stream:false %+v\n stream:true  %+v", plain, streamed)
			}
			if !reflect.DeepEqual(plain.FinishReasons, tt.reason) || plain.Usage.TotalTokens != tt.usage && !plain.UsageEstimated {
				t.Fatalf("CallInfo %+v: want finish reasons %q and %d tokens", plain, tt.reason, tt.usage)
			}
		})
	}
	if r := silent("/v1/chat/completions", `{"model":"m1","messages":[{"role":"user","content":"a"}]}`); !r.UsageEstimated ||
		r.Usage.CompletionTokens != 3 || r.Usage.PromptTokens == 0 {
		t.Errorf("a backend that reports no usage: %+v, want an estimate of 3 completion tokens (12 bytes sent)", r)
	}
	if r := failing("/v1/chat/completions", `{"model":"m1","messages":[{"role":"user","content":"a"}]}`); r.Status != 429 ||
		r.ErrStatus != 429 || r.Usage != (oaicompat.Usage{}) {
		t.Errorf("an error before output: %+v, want 429 and no usage", r)
	}
}

// TestHangUpChargesWhatWasSent: a client that hangs up mid-stream is
// charged for the tokens it was sent, although the backend, which reports
// usage at the end as the README shows, never got there.
func TestHangUpChargesWhatWasSent(t *testing.T) {
	returned := make(chan error, 1)
	backend := oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		for i := 0; i < 1000; i++ {
			if err := w.WriteText("word "); err != nil { // 5 bytes: about a token and a quarter
				returned <- err
				return err
			}
			time.Sleep(time.Millisecond)
		}
		w.SetUsage(oaicompat.Usage{PromptTokens: 10, CompletionTokens: 1000})
		returned <- nil
		return nil
	})
	var ci *oaicompat.CallInfo
	done := make(chan struct{})
	h := oaicompat.NewHandler(backend)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ctx context.Context
		ctx, ci = oaicompat.NewCallInfoContext(r.Context())
		h.ServeHTTP(w, r.WithContext(ctx))
		close(done)
	}))
	defer srv.Close()

	res, err := http.Post(srv.URL+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"m","stream":true,"messages":[{"role":"user","content":"go"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	events := 0
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() && events < 40 {
		if strings.HasPrefix(sc.Text(), "data: ") {
			events++
		}
	}
	res.Body.Close() // hang up after 40 events
	if err := <-returned; err == nil {
		t.Fatal("the backend wrote all its words to a client that hung up")
	}
	<-done
	if !ci.UsageEstimated || ci.Usage.CompletionTokens < 40*5/4 || ci.Usage.CompletionTokens >= 1000 {
		t.Fatalf("usage after a hang-up: %+v (estimated %v), want an estimate of what was sent", ci.Usage, ci.UsageEstimated)
	}
}

// TestSlowReaderReleasesBackend: a client that stops reading makes the
// stream's writes fail after the write timeout, which cancels the backend's
// context and makes its next write return an error.
func TestSlowReaderReleasesBackend(t *testing.T) {
	released := make(chan error, 1)
	backend := oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		chunk := strings.Repeat("x", 64<<10)
		for {
			if err := w.WriteText(chunk); err != nil {
				released <- fmt.Errorf("write: %w; ctx: %v", err, ctx.Err())
				return err
			}
		}
	})
	srv := httptest.NewServer(oaicompat.NewHandler(backend, oaicompat.WithWriteTimeout(100*time.Millisecond)))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"model":"m","stream":true,"messages":[{"role":"user","content":"go"}]}`
	fmt.Fprintf(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	// The client never reads.
	select {
	case err := <-released:
		if !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "context canceled") {
			t.Fatalf("backend released with %v, want its context cancelled", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the backend is still writing to a client that does not read")
	}
}

// TestBackendErrorSeenByOperators: a backend's own error reaches the
// handler's log and CallInfo.Err's cause, never the client.
func TestBackendErrorSeenByOperators(t *testing.T) {
	var logs strings.Builder
	h := oaicompat.NewHandler(oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		return errors.New("upstream exploded")
	}), oaicompat.WithLogger(newLogger(&logs)))
	for _, body := range []string{
		`{"model":"m","messages":[{"role":"user","content":"a"}]}`,
		`{"model":"m","stream":true,"messages":[{"role":"user","content":"a"}]}`,
	} {
		logs.Reset()
		ctx, ci := oaicompat.NewCallInfoContext(context.Background())
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(body)).WithContext(ctx))
		if rec.Code != 500 || strings.Contains(rec.Body.String(), "exploded") {
			t.Fatalf("client got %d %s", rec.Code, rec.Body)
		}
		if ci.Err == nil || ci.Err.Unwrap() == nil || ci.Err.Unwrap().Error() != "upstream exploded" {
			t.Fatalf("CallInfo.Err = %v, want the generic 500 wrapping the backend's error", ci.Err)
		}
		if !strings.Contains(logs.String(), "upstream exploded") || !strings.Contains(logs.String(), "level=ERROR") {
			t.Fatalf("log = %q, want the cause at error level", logs.String())
		}
	}
}
