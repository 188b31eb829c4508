package oaicompat_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/responses"
)

// vectors is a Backend that also embeds: a type assertion finds the
// Embedder capability, as net/http finds an http.Flusher.
type vectors struct{ echoBackend }

// Embed returns one vector per input. The handler encodes them as floats,
// or as base64 when the client asks (the SDKs' default).
func (vectors) Embed(_ context.Context, req *oaicompat.EmbeddingRequest) (*oaicompat.EmbeddingResult, error) {
	res := &oaicompat.EmbeddingResult{Usage: oaicompat.Usage{PromptTokens: req.Input.Len()}}
	for _, s := range req.Input.Strings {
		res.Vectors = append(res.Vectors, []float32{float32(len(s)), 1})
	}
	return res, nil
}

func ExampleEmbedder() {
	srv := httptest.NewServer(oaicompat.NewHandler(vectors{}))
	defer srv.Close()
	fmt.Println(postJSON(srv.URL+"/v1/embeddings", `{"model":"vec","input":["hi","there"]}`))
	// Output:
	// 200 {"object":"list","data":[{"object":"embedding","index":0,"embedding":[2,1]},{"object":"embedding","index":1,"embedding":[5,1]}],"model":"vec","usage":{"prompt_tokens":2,"total_tokens":2}}
}

// catalogue lists its models: GET /v1/models answers from it, and a
// request naming another model answers 404 model_not_found.
type catalogue struct{ echoBackend }

func (catalogue) ListModels(context.Context) ([]oaicompat.Model, error) {
	return []oaicompat.Model{{ID: "small", Created: 1700000000, OwnedBy: "us"}}, nil
}

func ExampleModelLister() {
	srv := httptest.NewServer(oaicompat.NewHandler(catalogue{}))
	defer srv.Close()
	resp, _ := http.Get(srv.URL + "/v1/models")
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	fmt.Println(postJSON(srv.URL+"/v1/chat/completions", `{"model":"large","messages":[{"role":"user","content":"hi"}]}`))
	// Output:
	// 200
	// 404 {"error":{"message":"The model `large` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}
}

// sampler produces all n choices in one call (one batched model call, say)
// instead of being called once per choice.
type sampler struct{ echoBackend }

func (sampler) ChatChoices(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	for i := 0; i < req.Choices(); i++ {
		if err := w.Choice(i).WriteText(fmt.Sprintf("take %d", i+1)); err != nil {
			return err
		}
	}
	return nil
}

func ExampleMultiChoice() {
	h := oaicompat.NewHandler(sampler{}, stable...)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/chat/completions",
		strings.NewReader(`{"model":"m","n":2,"messages":[{"role":"user","content":"hi"}]}`)))
	fmt.Println(strings.Count(rec.Body.String(), `"content":"take `))
	// Output:
	// 2
}

// native speaks the Responses API itself: POST /v1/responses reaches
// Respond untranslated, and its events are framed and numbered by the
// handler.
type nativeResponses struct{ echoBackend }

func (nativeResponses) Respond(_ context.Context, req *responses.Request, w *oaicompat.EventWriter) error {
	resp := map[string]any{"id": "resp_1", "object": "response", "created_at": 1700000000, "model": req.Model,
		"status": "completed", "output": []any{map[string]any{"type": "message", "id": "msg_1", "role": "assistant",
			"status": "completed", "content": []any{map[string]any{"type": "output_text", "text": "native", "annotations": []any{}}}}}}
	return w.WriteEvent(map[string]any{"type": "response.completed", "response": resp})
}

func ExampleResponder() {
	h := oaicompat.NewHandler(nativeResponses{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/responses", strings.NewReader(`{"model":"m","input":"hi"}`)))
	fmt.Println(rec.Code, strings.Contains(rec.Body.String(), `"text":"native"`))
	// Output:
	// 200 true
}

// A backend that produces tokens one at a time writes each as it comes and
// watches ctx: a client that leaves, a middleware deadline or a client that
// stops reading (WithWriteTimeout) cancels it, and its next write fails.
func ExampleChatWriter_WriteText() {
	tokens := oaicompat.ChatFunc(func(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		for _, tok := range strings.Fields("one token at a time") {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Millisecond): // the model thinks
			}
			if err := w.WriteText(tok + " "); err != nil {
				return err // the client is gone: stop generating
			}
		}
		w.SetUsage(oaicompat.Usage{PromptTokens: 3, CompletionTokens: 5})
		return nil
	})
	rec := httptest.NewRecorder()
	oaicompat.NewHandler(tokens).ServeHTTP(rec, httptest.NewRequest("POST", "/v1/chat/completions",
		strings.NewReader(`{"model":"m","stream":true,"messages":[{"role":"user","content":"go"}]}`)))
	fmt.Println(strings.Count(rec.Body.String(), "data: "))
	// Output:
	// 7
}

// A middleware reads what the handler did in the request's CallInfo: the
// endpoint, model, usage (reported, or estimated from what was sent) and
// finish reasons, the same for streamed and non-streamed answers.
func ExampleCallInfoFromContext() {
	logUsage := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, ci := oaicompat.NewCallInfoContext(r.Context())
			next.ServeHTTP(w, r.WithContext(ctx))
			fmt.Println(ci.Endpoint, ci.Model, ci.Usage.TotalTokens, ci.FinishReasons)
		})
	}
	h := logUsage(oaicompat.NewHandler(echoBackend{}))
	for _, stream := range []string{"false", "true"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/v1/chat/completions",
			strings.NewReader(`{"model":"echo","stream":`+stream+`,"messages":[{"role":"user","content":"hi"}]}`)))
	}
	// Output:
	// chat.completions echo 2 [stop]
	// chat.completions echo 2 [stop]
}
