package middleware_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
)

// ledger is a MemoryStore that also adds up the tokens charged to each key
// (Take when it accepted, and every Adjust).
type ledger struct {
	*middleware.MemoryStore
	mu     sync.Mutex
	tokens map[string]int64
}

func newLedger() *ledger {
	return &ledger{MemoryStore: middleware.NewMemoryStore(), tokens: map[string]int64{}}
}

func (l *ledger) Take(ctx context.Context, key string, now time.Time, charges []middleware.Charge) (bool, []middleware.Bucket, error) {
	ok, b, err := l.MemoryStore.Take(ctx, key, now, charges)
	if ok && err == nil {
		for _, c := range charges {
			l.add(key, c)
		}
	}
	return ok, b, err
}

func (l *ledger) Adjust(ctx context.Context, key string, now time.Time, c middleware.Charge) (middleware.Bucket, error) {
	l.add(key, c)
	return l.MemoryStore.Adjust(ctx, key, now, c)
}

func (l *ledger) add(key string, c middleware.Charge) {
	if c.Name == "tokens" {
		l.mu.Lock()
		l.tokens[key] += c.Cost
		l.mu.Unlock()
	}
}

func (l *ledger) charged(key string) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.tokens[key]
}

// countingBody is a request body that counts the reads made through it.
type countingBody struct {
	io.Reader
	reads int
}

func (b *countingBody) Read(p []byte) (int, error) {
	b.reads++
	return b.Reader.Read(p)
}

func (*countingBody) Close() error { return nil }

// TestRateLimitDoesNotReadBody: the request reaches the handler with its
// own body untouched, and the tokens are still charged (from the handler's
// estimate, through CallInfo.Admit).
func TestRateLimitDoesNotReadBody(t *testing.T) {
	t.Parallel()
	body := `{"model":"m","max_completion_tokens":7,"messages":[{"role":"user","content":"hi"}]}`
	for _, limits := range []middleware.Limits{{Tokens: 1000}, {Requests: 10, Tokens: 1000}} {
		sent := &countingBody{Reader: strings.NewReader(body)}
		var readsBefore int
		var sameBody bool
		probe := func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				readsBefore, sameBody = sent.reads, r.Body == io.ReadCloser(sent)
				next.ServeHTTP(w, r)
			})
		}
		h := middleware.RateLimit(limits)(probe(oaicompat.NewHandler(twentyWords)))
		req := httptest.NewRequest("POST", "/v1/chat/completions", nil)
		req.Body, req.ContentLength = sent, int64(len(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || readsBefore != 0 || !sameBody {
			t.Fatalf("%+v: status %d, %d reads before the handler, same body %v", limits, rec.Code, readsBefore, sameBody)
		}
		// the handler's estimate: a token per four bytes, plus the 7 it may generate
		want := strconv.Itoa(1000 - (len(body)+3)/4 - 7)
		if got := rec.Header().Get("X-Ratelimit-Remaining-Tokens"); got != want {
			t.Fatalf("%+v: remaining tokens %q, want %s", limits, got, want)
		}
	}
}

// TestRateLimitAdmission: the tokens are charged when the handler admits
// the request, before the backend runs; a refusal names the model, keeps
// the backend from running and does not count as a request.
func TestRateLimitAdmission(t *testing.T) {
	t.Parallel()
	body := `{"model":"gpt-x","messages":[{"role":"user","content":"hi"}]}`
	estimate := int64(len(body)+3) / 4
	tests := []struct {
		name      string
		limits    middleware.Limits
		estimator func(r *http.Request, estimate int64) int64
		used      int   // reported by the backend
		calls     []int // statuses, in order
		message   string
		headers   map[string]string // of the last call
	}{
		{name: "too large", limits: middleware.Limits{Requests: 5, Tokens: 100},
			estimator: func(r *http.Request, est int64) int64 { return 101 },
			calls:     []int{429},
			message:   "Request too large for gpt-x on tokens per min (TPM): Limit 100, Requested 101. The input or output tokens must be reduced in order to run successfully.",
			headers:   map[string]string{"X-Should-Retry": "false", "X-Ratelimit-Remaining-Requests": "5"}},
		{name: "tokens spent", limits: middleware.Limits{Requests: 5, Tokens: 100},
			estimator: func(r *http.Request, est int64) int64 { return 60 }, used: 60,
			calls:   []int{200, 429},
			message: "Rate limit reached for gpt-x on tokens per min (TPM): Limit 100, Used 60, Requested 60. Please try again in 12s.",
			headers: map[string]string{"Retry-After": "12", "X-Ratelimit-Remaining-Requests": "4", "X-Ratelimit-Remaining-Tokens": "40"}},
		{name: "estimator sees the handler's estimate and model", limits: middleware.Limits{Tokens: 1000},
			estimator: func(r *http.Request, est int64) int64 {
				if ci := oaicompat.CallInfoFromContext(r.Context()); est != estimate || ci == nil || ci.Model != "gpt-x" {
					return 2000
				}
				return 10
			}, used: 10,
			calls:   []int{200},
			headers: map[string]string{"X-Ratelimit-Remaining-Tokens": "990"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ran := 0
			backend := oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
				ran++
				w.SetUsage(oaicompat.Usage{PromptTokens: tt.used - 5, CompletionTokens: 5, TotalTokens: tt.used})
				return w.WriteText("hi")
			})
			clock := func() time.Time { return time.Unix(1_700_000_000, 0) }
			h := middleware.RateLimit(tt.limits, middleware.WithTokenEstimator(tt.estimator), middleware.WithClock(clock))(oaicompat.NewHandler(backend))
			var rec *httptest.ResponseRecorder
			for i, want := range tt.calls {
				if rec = post(h, body); rec.Code != want {
					t.Fatalf("call %d: %d %s, want %d", i, rec.Code, rec.Body, want)
				}
			}
			if want := tt.calls[len(tt.calls)-1]; want == 429 {
				var env struct{ Error oaicompat.Error }
				if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Error.Type != "tokens" ||
					env.Error.Code != "rate_limit_exceeded" || env.Error.Message != tt.message {
					t.Fatalf("%v %+v\nwant message %q", err, env.Error, tt.message)
				}
			}
			for k, v := range tt.headers {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			if ran != countOK(tt.calls) {
				t.Fatalf("the backend ran %d times, want %d", ran, countOK(tt.calls))
			}
		})
	}
}

func countOK(statuses []int) int {
	n := 0
	for _, s := range statuses {
		if s == 200 {
			n++
		}
	}
	return n
}

// TestRateLimitHangUpChargesWritten is issue 11's escape: a backend that
// reports its usage only at the end of a stream, and a client that hangs up
// before the end. What was written is charged, and logged.
func TestRateLimitHangUpChargesWritten(t *testing.T) {
	t.Parallel()
	const deltas = 100 // of "word ": 500 bytes, 125 tokens
	wrote := make(chan struct{})
	backend := oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		for range deltas {
			if err := w.WriteText("word "); err != nil {
				return err
			}
		}
		close(wrote)
		<-ctx.Done() // the client hangs up before the end, where the usage would be reported
		return ctx.Err()
	})
	store := newLedger()
	var logs bytes.Buffer
	done := make(chan struct{}, 1)
	srv := httptest.NewServer(middleware.Chain(
		served(done),
		middleware.AccessLog(slog.New(slog.NewJSONHandler(&logs, nil))),
		middleware.RateLimit(middleware.Limits{Tokens: 100_000}, middleware.WithStore(store), middleware.WithKeyFunc(func(*http.Request) string { return "k" })),
	)(oaicompat.NewHandler(backend)))
	defer srv.Close()

	body := `{"model":"m","stream":true,"messages":[{"role":"user","content":"Talk."}]}`
	resp, err := srv.Client().Post(srv.URL+"/v1/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	<-wrote
	events, sc := 0, bufio.NewScanner(resp.Body)
	for events < deltas && sc.Scan() {
		if strings.Contains(sc.Text(), `"content":"word "`) {
			events++
		}
	}
	resp.Body.Close() // hang up
	<-done
	if events != deltas {
		t.Fatalf("read %d events, want %d", events, deltas)
	}
	prompt, completion := int64(len(body)+3)/4, int64(deltas*len("word ")+3)/4
	if got := store.charged("k"); got != prompt+completion {
		t.Fatalf("charged %d tokens, want %d (prompt estimate %d + %d written)", got, prompt+completion, prompt, completion)
	}
	if want := `"tokens_out":` + strconv.FormatInt(completion, 10); !strings.Contains(logs.String(), want) {
		t.Fatalf("access log %s lacks %s", logs.String(), want)
	}
}

// TestRateLimitHandlerWithoutAdmission: behind a handler that never calls
// Admit, the tokens its CallInfo records are charged after it returns.
func TestRateLimitHandlerWithoutAdmission(t *testing.T) {
	t.Parallel()
	store := newLedger()
	plain := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ci := oaicompat.CallInfoFromContext(r.Context()); ci != nil {
			ci.Usage = oaicompat.Usage{PromptTokens: 30, CompletionTokens: 12, TotalTokens: 42}
		}
	})
	h := middleware.RateLimit(middleware.Limits{Requests: 10, Tokens: 1000}, middleware.WithStore(store),
		middleware.WithKeyFunc(func(*http.Request) string { return "k" }))(plain)
	if rec := post(h, `{}`); rec.Code != 200 || rec.Header().Get("X-Ratelimit-Remaining-Tokens") != "1000" {
		t.Fatalf("%d, remaining %q", rec.Code, rec.Header().Get("X-Ratelimit-Remaining-Tokens"))
	}
	if got := store.charged("k"); got != 42 {
		t.Fatalf("charged %d tokens, want 42", got)
	}
}
