package oaicompat_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/oaicompat/oaicompat"
)

// TestConcurrentRequests drives every encoding path from many goroutines
// at once and requires every answer to be whole. (The crash that goccy's
// NoEscape variants caused, about once per 100k requests under wrk, is too
// rare to reproduce here; decode.go and chat.go say why they are not used.)
func TestConcurrentRequests(t *testing.T) {
	t.Parallel()
	srv := serve(t, oaicompat.NewHandler(newTestBackend()))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	defer client.CloseIdleConnections()
	bodies := []struct{ path, body string }{
		{"/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"hi"}],"n":2}`},
		{"/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}`},
		{"/v1/embeddings", `{"model":"m","input":["a","b"],"encoding_format":"base64"}`},
		{"/v1/responses", `{"model":"m","input":"hi","store":false}`},
		{"/v1/completions", `{"model":"m","prompt":["a","b"]}`},
		{"/v1/images/generations", `{"prompt":"p","response_format":"b64_json"}`},
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 32; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 60; i++ {
				b := bodies[(g+i)%len(bodies)]
				resp, err := client.Post(srv.URL+b.path, "application/json", strings.NewReader(b.body))
				if err != nil {
					errs <- err.Error()
					return
				}
				data, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				ok := resp.StatusCode == 200 && (strings.HasPrefix(string(data), "data: ") || json.Valid(data))
				if !ok {
					errs <- b.path + ": " + resp.Status + " " + string(data)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
