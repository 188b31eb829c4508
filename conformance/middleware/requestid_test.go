package middleware_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/openai/openai-go/v3/option"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
)

var generatedID = regexp.MustCompile(`^req_[0-9a-f]{32}$`)

func TestRequestID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		incoming string // X-Request-Id sent; "" sends none
		key      string
		want     string // "" expects a generated id
	}{
		{name: "generated", key: aliceKey},
		{name: "incoming honoured", incoming: "trace-7f3a/42", key: aliceKey, want: "trace-7f3a/42"},
		{name: "incoming with a space replaced", incoming: "two words", key: aliceKey},
		{name: "incoming too long replaced", incoming: strings.Repeat("a", 129), key: aliceKey},
		{name: "on an error response too", incoming: "err-1", key: "sk-bad", want: "err-1"},
		{name: "generated on an error response", key: "sk-bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			backend := oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
				return w.WriteText(middleware.RequestIDFromContext(ctx))
			})
			h := middleware.Chain(middleware.RequestID(), middleware.Auth(middleware.StaticKeys(testKeys)))(oaicompat.NewHandler(backend))
			var resp *http.Response
			opts := []option.RequestOption{option.WithResponseInto(&resp)}
			if tt.incoming != "" {
				opts = append(opts, option.WithHeader("X-Request-Id", tt.incoming))
			}
			got, err := client(serve(t, h), tt.key).Chat.Completions.New(testContext(t), chatParams("hi"), opts...)
			seen := "" // the id the backend saw in its context
			if err == nil {
				seen = got.Choices[0].Message.Content
			}
			if tt.key != aliceKey {
				resp = apiError(t, err).Response
			} else if err != nil {
				t.Fatal(err)
			}
			id := resp.Header.Get("x-request-id")
			if tt.want != "" && id != tt.want || tt.want == "" && !generatedID.MatchString(id) {
				t.Fatalf("x-request-id = %q, want %q (or a generated req_ id)", id, tt.want)
			}
			if tt.key == aliceKey && seen != id {
				t.Fatalf("backend saw request id %q, response says %q", seen, id)
			}
		})
	}
}

func TestRequestIDGenerator(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	gen := middleware.RequestID(middleware.WithRequestIDGenerator(func() string { return fmt.Sprint("fixed-", n.Add(1)) }))
	h := gen(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.Header.Get("X-Request-Id")) // handed on for code that reads headers
	}))
	srv := serve(t, h)
	for i, want := range []string{"fixed-1", "fixed-2"} {
		resp, err := srv.Client().Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		hdr, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := resp.Header.Get("X-Request-Id"); got != want || string(hdr) != want {
			t.Fatalf("request %d: response id %q, request header %q, want %q", i, got, hdr, want)
		}
	}
	if a, b := middleware.NewRequestID(), middleware.NewRequestID(); a == b || !generatedID.MatchString(a) {
		t.Fatalf("NewRequestID gave %q and %q", a, b)
	}
}
