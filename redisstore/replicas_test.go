package redisstore_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/redisstore"
)

// conversation is a chat backend that answers "You said: <last user
// message>" and records the messages of the conversations it saw.
type conversation struct {
	mu   sync.Mutex
	seen [][]string
}

func (c *conversation) Chat(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	var msgs []string
	for _, m := range req.Messages {
		msgs = append(msgs, m.Role+": "+m.Content.Text())
	}
	c.mu.Lock()
	c.seen = append(c.seen, msgs)
	c.mu.Unlock()
	return w.WriteText("You said: " + req.LastUserMessage())
}

func (c *conversation) last() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seen[len(c.seen)-1]
}

// withKeyID records the caller's key id in the CallInfo, as
// middleware.Auth does, for two keys: the handler's default owner.
func withKeyID(next http.Handler) http.Handler {
	ids := map[string]string{"Bearer key-a": "alice", "Bearer key-b": "bob"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, ci := oaicompat.NewCallInfoContext(r.Context())
		ci.KeyID = ids[r.Header.Get("Authorization")]
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// handlerReplica is one server: its own handler, backend and Redis
// connection, behind withKeyID.
type handlerReplica struct {
	url     string
	backend *conversation
}

func newHandlerReplica(t *testing.T, srv *redisServer) *handlerReplica {
	t.Helper()
	be := &conversation{}
	store := redisstore.NewResponseStore(srv.client(), redisstore.ResponseStoreConfig{Timeout: 500 * time.Millisecond})
	h := oaicompat.NewHandler(be, oaicompat.WithResponseStore(store))
	ts := httptest.NewServer(withKeyID(h))
	t.Cleanup(ts.Close)
	return &handlerReplica{url: ts.URL, backend: be}
}

// reply is what a client saw.
type reply struct {
	status     int
	retryAfter string
	body       string
}

// do sends a request as key and returns what came back; a hang would end
// at the client's deadline with a failed test.
func (r *handlerReplica) do(t *testing.T, key, method, path, body string) reply {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, r.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s did not return: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return reply{res.StatusCode, res.Header.Get("Retry-After"), string(b)}
}

// field returns a top-level string field of a JSON object.
func field(t *testing.T, body, name string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	s, _ := m[name].(string)
	return s
}

// outputID returns the id of the first output item of a Response.
func outputID(t *testing.T, body string) string {
	t.Helper()
	var r struct{ Output []struct{ ID string } }
	if err := json.Unmarshal([]byte(body), &r); err != nil || len(r.Output) == 0 {
		t.Fatalf("%v: %s", err, body)
	}
	return r.Output[0].ID
}

// TestTwoReplicas: two handler replicas share one Redis. A response made
// on A is read, listed, chained on (previous_response_id and
// item_reference) and deleted on B; another key sees it on neither; and
// when Redis dies, freezes or comes back, the replicas answer 503 promptly
// and recover on their own.
func TestTwoReplicas(t *testing.T) {
	srv := startRedis(t)
	a, b := newHandlerReplica(t, srv), newHandlerReplica(t, srv)

	created := a.do(t, "key-a", "POST", "/v1/responses", `{"model":"m","input":"SECRET"}`)
	if created.status != 200 {
		t.Fatalf("create on A: %+v", created)
	}
	id, msgID := field(t, created.body, "id"), outputID(t, created.body)

	if got := b.do(t, "key-a", "GET", "/v1/responses/"+id, ""); got.status != 200 || got.body != created.body {
		t.Errorf("GET on B: %d\n%s\nwant what A answered\n%s", got.status, got.body, created.body)
	}
	if got := b.do(t, "key-a", "GET", "/v1/responses/"+id+"/input_items", ""); got.status != 200 || !strings.Contains(got.body, `"text":"SECRET"`) {
		t.Errorf("input_items on B: %+v", got)
	}
	chained := b.do(t, "key-a", "POST", "/v1/responses", `{"model":"m","previous_response_id":"`+id+`","input":"and then?"}`)
	if want := []string{"user: SECRET", "assistant: You said: SECRET", "user: and then?"}; chained.status != 200 || !slices.Equal(b.backend.last(), want) {
		t.Errorf("previous_response_id on B: %d, the backend saw %q", chained.status, b.backend.last())
	}
	referenced := b.do(t, "key-a", "POST", "/v1/responses", `{"model":"m","input":[{"type":"item_reference","id":"`+msgID+`"},{"role":"user","content":"why?"}]}`)
	if want := []string{"assistant: You said: SECRET", "user: why?"}; referenced.status != 200 || !slices.Equal(b.backend.last(), want) {
		t.Errorf("item_reference on B: %d, the backend saw %q", referenced.status, b.backend.last())
	}

	// Owners are apart on every replica: bob's attempts answer as for an
	// unknown id.
	unknown := "resp_" + strings.Repeat("x", len(id)-5)
	for _, r := range []*handlerReplica{a, b} {
		for _, c := range []struct{ method, path, body string }{
			{"GET", "/v1/responses/ID", ""},
			{"GET", "/v1/responses/ID/input_items", ""},
			{"DELETE", "/v1/responses/ID", ""},
			{"POST", "/v1/responses", `{"model":"m","previous_response_id":"ID","input":"x"}`},
		} {
			foreign := r.do(t, "key-b", c.method, strings.ReplaceAll(c.path, "ID", id), strings.ReplaceAll(c.body, "ID", id))
			missing := r.do(t, "key-b", c.method, strings.ReplaceAll(c.path, "ID", unknown), strings.ReplaceAll(c.body, "ID", unknown))
			foreign.body = strings.ReplaceAll(foreign.body, id, "ID")
			missing.body = strings.ReplaceAll(missing.body, unknown, "ID")
			if foreign != missing || foreign.status/100 != 4 {
				t.Errorf("bob's %s %s: %+v, for an unknown id %+v", c.method, c.path, foreign, missing)
			}
		}
	}
	if got := b.do(t, "key-a", "DELETE", "/v1/responses/"+id, ""); got.status != 200 {
		t.Errorf("DELETE on B: %+v", got)
	}
	if got := a.do(t, "key-a", "GET", "/v1/responses/"+id, ""); got.status != 404 {
		t.Errorf("GET on A after DELETE on B: %+v", got)
	}

	unavailable := func(what string) {
		t.Helper()
		for _, c := range []struct {
			r                  *handlerReplica
			method, path, body string
		}{
			{a, "GET", "/v1/responses/" + field(t, chained.body, "id"), ""},
			{b, "GET", "/v1/responses/x/input_items", ""},
			{a, "DELETE", "/v1/responses/x", ""},
			{b, "POST", "/v1/responses", `{"model":"m","previous_response_id":"` + field(t, chained.body, "id") + `","input":"x"}`},
		} {
			got := c.r.do(t, "key-a", c.method, c.path, c.body)
			if got.status != 503 || got.retryAfter != "1" || !strings.Contains(got.body, "The response store is unavailable") {
				t.Errorf("%s: %s %s answered %+v", what, c.method, c.path, got)
			}
		}
		// A new response is still answered, without being stored.
		if got := a.do(t, "key-a", "POST", "/v1/responses", `{"model":"m","input":"hello"}`); got.status != 200 || !strings.Contains(got.body, `"store":false`) {
			t.Errorf("%s: a new response: %+v", what, got)
		}
	}
	// recovered waits until both replicas store and read again (the pool
	// reconnects by itself).
	recovered := func(what string) {
		t.Helper()
		for _, r := range []*handlerReplica{a, b} {
			for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
				got := r.do(t, "key-a", "POST", "/v1/responses", `{"model":"m","input":"back?"}`)
				if got.status == 200 && strings.Contains(got.body, `"store":true`) {
					other := a
					if r == a {
						other = b
					}
					if read := other.do(t, "key-a", "GET", "/v1/responses/"+field(t, got.body, "id"), ""); read.status != 200 {
						t.Fatalf("%s: a response stored after recovery is not readable on the other replica: %+v", what, read)
					}
					break
				}
				if time.Since(start) > 20*time.Second {
					t.Fatalf("%s: the replicas did not recover: %+v", what, got)
				}
			}
		}
	}

	srv.kill()
	unavailable("Redis killed")
	srv.restart()
	recovered("Redis restarted")

	srv.freeze()
	unavailable("Redis frozen")
	srv.resume()
	recovered("Redis resumed")
}
