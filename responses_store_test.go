package oaicompat_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/responses"
)

// send sends a request with a body (may be empty) and header pairs, and
// returns status, headers and body.
func send(t testing.TB, method, url, body string, header ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

// TestInputItemsGolden pins GET /v1/responses/{id}/input_items for every
// input item type: each item has exactly the fields of its type (a message
// has no "output").
func TestInputItemsGolden(t *testing.T) {
	srv := serveDialects(t, &dialectBackend{}, deterministic()...)
	status, _, body := post(t, srv.URL+"/v1/responses", `{"model":"m1","input":[
		{"role":"developer","content":"be brief"},
		{"type":"message","role":"user","content":[{"type":"input_text","text":"weather?"},{"type":"input_image","image_url":"data:image/png;base64,AAAA"}]},
		{"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
		{"type":"function_call_output","call_id":"call_1","output":"22C"},
		{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"the tool said 22C"}]},
		{"role":"assistant","content":"It is 22C."},
		{"role":"user","content":"thanks"}]}`)
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	id := decodeJSON(t, body)["id"].(string)
	status, _, list := send(t, "GET", srv.URL+"/v1/responses/"+id+"/input_items?order=asc", "")
	if status != 200 {
		t.Fatalf("%d %s", status, list)
	}
	goldenFile(t, "dialects/responses_input_items.json", []byte(list))
}

// TestResponseTooLargeIsNotStored: a response over the store's cap is
// answered in full with "store": false (the body, or the terminal event of
// a stream), logged, and not found afterwards; a small one is stored.
func TestResponseTooLargeIsNotStored(t *testing.T) {
	var logs bytes.Buffer
	store := responses.NewMemoryStore(responses.Limits{MaxResponseBytes: 8 << 10})
	srv := serveDialects(t, &dialectBackend{}, oaicompat.WithResponseStore(store), oaicompat.WithLogger(newLogger(&logs)))
	big := strings.Repeat("x", 10<<10)
	tests := []struct {
		name, body string
		stored     bool
	}{
		{"small", `{"model":"m","input":"small"}`, true},
		{"large", `{"model":"m","input":"` + big + `"}`, false},
		{"large streamed", `{"model":"m","stream":true,"input":"` + big + `"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := post(t, srv.URL+"/v1/responses", tt.body)
			if status != 200 {
				t.Fatalf("%d %s", status, body)
			}
			final := body
			if strings.Contains(tt.name, "streamed") {
				created, _, _ := strings.Cut(body, "\n\n")
				if !strings.Contains(created, `"store":true`) {
					t.Errorf("response.created: %.200s", created)
				}
				final = body[strings.LastIndex(body, "data: ")+len("data: "):]
			}
			resp := decodeJSON(t, final)
			if r, ok := resp["response"].(map[string]any); ok {
				resp = r
			}
			id := resp["id"].(string)
			if resp["store"] != tt.stored || resp["status"] != "completed" || !strings.Contains(final, "You said: ") {
				t.Errorf("store %v status %v (want store %v)", resp["store"], resp["status"], tt.stored)
			}
			status, _, _ = send(t, "GET", srv.URL+"/v1/responses/"+id, "")
			if (status == 200) != tt.stored {
				t.Errorf("GET after: %d", status)
			}
			logged := strings.Contains(logs.String(), `level=WARN msg="oaicompat: response not stored" id=`+id+` reason="responses: response too large to store"`)
			if logged == tt.stored {
				t.Errorf("logged %v: %s", logged, logs.String())
			}
		})
	}
}

// failingStore is a Store whose database is down.
type failingStore struct{}

var errDown = errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")

func (failingStore) Put(context.Context, string, *responses.Stored) error { return errDown }
func (failingStore) Get(context.Context, string, string) (*responses.Stored, error) {
	return nil, errDown
}
func (failingStore) GetByItem(context.Context, string, string) (*responses.Stored, error) {
	return nil, errDown
}
func (failingStore) Delete(context.Context, string, string) error { return errDown }

// TestStoreFailureAnswers503: a store that fails makes every route that
// reads it answer 503 with Retry-After, and a new response is answered
// with "store": false and logged as an error.
func TestStoreFailureAnswers503(t *testing.T) {
	var logs bytes.Buffer
	srv := serveDialects(t, &dialectBackend{}, oaicompat.WithResponseStore(failingStore{}), oaicompat.WithLogger(newLogger(&logs)))
	want := `{"error":{"message":"The response store is unavailable. Please retry your request.","type":"server_error","param":null,"code":null}}` + "\n"
	for _, c := range []struct{ name, method, path, body string }{
		{"GET", "GET", "/v1/responses/resp_1", ""},
		{"DELETE", "DELETE", "/v1/responses/resp_1", ""},
		{"input_items", "GET", "/v1/responses/resp_1/input_items", ""},
		{"previous_response_id", "POST", "/v1/responses", `{"model":"m","input":"x","previous_response_id":"resp_1"}`},
		{"item_reference", "POST", "/v1/responses", `{"model":"m","input":[{"type":"item_reference","id":"msg_1"}]}`},
	} {
		status, header, body := send(t, c.method, srv.URL+c.path, c.body)
		if status != 503 || header.Get("Retry-After") != "1" || body != want {
			t.Errorf("%s: %d Retry-After %q %s", c.name, status, header.Get("Retry-After"), body)
		}
	}
	status, _, body := post(t, srv.URL+"/v1/responses", `{"model":"m","input":"hello"}`)
	if status != 200 || decodeJSON(t, body)["store"] != false {
		t.Errorf("a new response while the store is down: %d %s", status, body)
	}
	if !strings.Contains(logs.String(), `level=ERROR msg="oaicompat: response not stored"`) || !strings.Contains(logs.String(), "connection refused") {
		t.Errorf("log: %s", logs.String())
	}
}

// TestWithOwnerFromHeader: a host names the owner from a gateway's
// header; requests without it share the anonymous owner.
func TestWithOwnerFromHeader(t *testing.T) {
	srv := serveDialects(t, &dialectBackend{}, oaicompat.WithOwner(func(r *http.Request) string { return r.Header.Get("X-Tenant") }))
	ids := map[string]string{}
	for _, tenant := range []string{"t1", "t2", ""} {
		status, _, body := send(t, "POST", srv.URL+"/v1/responses", `{"model":"m","input":"hi"}`, "X-Tenant", tenant)
		if status != 200 {
			t.Fatal(body)
		}
		ids[tenant] = decodeJSON(t, body)["id"].(string)
	}
	for owner, id := range ids {
		for _, asker := range []string{"t1", "t2", ""} {
			status, _, body := send(t, "GET", srv.URL+"/v1/responses/"+id, "", "X-Tenant", asker)
			if (status == 200) != (asker == owner) {
				t.Errorf("%q's response asked by %q: %d %s", owner, id, status, body)
			}
		}
	}
}

// TestStoredResponseHandlersAlone mounts GetResponse, ResponseInputItems
// and DeleteResponse on a router of one's own, with and without path
// values.
func TestStoredResponseHandlersAlone(t *testing.T) {
	h := oaicompat.NewHandler(&dialectBackend{})
	mux := http.NewServeMux()
	mux.Handle("POST /api/responses", h.Responses())
	mux.Handle("GET /api/responses/{id}", h.GetResponse())
	mux.Handle("GET /api/responses/{id}/input_items", h.ResponseInputItems())
	mux.Handle("DELETE /api/responses/{id}", h.DeleteResponse())
	mux.Handle("GET /plain/", http.StripPrefix("/plain", h.ResponseInputItems())) // no path value
	srv := serve(t, mux)
	_, _, body := send(t, "POST", srv.URL+"/api/responses", `{"model":"m","input":"hi"}`)
	id := decodeJSON(t, body)["id"].(string)
	for _, path := range []string{"/api/responses/" + id, "/api/responses/" + id + "/input_items", "/plain/" + id + "/input_items"} {
		if status, _, body := send(t, "GET", srv.URL+path, ""); status != 200 || !strings.Contains(body, `"hi"`) && !strings.Contains(body, id) {
			t.Errorf("GET %s: %d %s", path, status, body)
		}
	}
	if status, _, body := send(t, "DELETE", srv.URL+"/api/responses/"+id, ""); status != 200 || !strings.Contains(body, `"deleted":true`) {
		t.Errorf("DELETE: %d %s", status, body)
	}
	if status, _, _ := send(t, "GET", srv.URL+"/api/responses/"+id, ""); status != 404 {
		t.Errorf("GET after DELETE: %d", status)
	}
	// Without a store the handlers say the endpoint is not supported.
	bare := serve(t, oaicompat.NewHandler(&dialectBackend{}, oaicompat.WithResponseStore(nil)).GetResponse())
	if status, _, body := send(t, "GET", bare.URL+"/v1/responses/resp_1", ""); status != 404 || !strings.Contains(body, "unsupported_endpoint") {
		t.Errorf("without a store: %d %s", status, body)
	}
}

// TestStoreHeapBoundedByBytes stores through the handler eight times what
// the store may hold, in 1 MiB requests (each stores its input and the
// echoed output, about 2 MiB) answered by a backend that keeps nothing,
// and checks that the live heap grows by no
// more than the bound, and by about one byte per byte held.
//
//	go test -run TestStoreHeapBoundedByBytes -v .
func TestStoreHeapBoundedByBytes(t *testing.T) {
	const bound = 4 << 20
	store := responses.NewMemoryStore(responses.Limits{MaxBytes: bound, OwnerBytes: bound, MaxResponseBytes: 1 << 20})
	echo := oaicompat.ChatFunc(func(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		return w.WriteText("You said: " + req.LastUserMessage())
	})
	srv := serve(t, oaicompat.NewHandler(echo, oaicompat.WithResponseStore(store)))
	// One response first, so that the JSON codecs' one-time tables are
	// not counted; it is soon evicted.
	if status, _, body := post(t, srv.URL+"/v1/responses", `{"model":"m","input":"warm up"}`); status != 200 {
		t.Fatal(body)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	word := strings.Repeat("y", 256<<10)
	sent := 0
	for i := range 32 { // 16 MiB through a 4 MiB store
		body := fmt.Sprintf(`{"model":"m","input":"%d%s"}`, i, word)
		status, _, resp := post(t, srv.URL+"/v1/responses", body)
		if status != 200 || !strings.Contains(resp, `"store":true`) {
			t.Fatalf("request %d: %d %.200s", i, status, resp)
		}
		sent += 2 * len(word)
	}
	srv.CloseClientConnections()
	runtime.GC()
	runtime.GC() // a second cycle empties the sync.Pools' victim caches
	runtime.ReadMemStats(&after)
	grew := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	held := store.Bytes()
	t.Logf("stored %d MiB through the handler into a %d MiB store: it holds %d responses, %.1f MiB; the heap after GC grew by %.1f MiB (%.2f× what is held)",
		sent>>20, bound>>20, store.Len(), float64(held)/(1<<20), float64(grew)/(1<<20), float64(grew)/float64(held))
	if held > bound || store.Len() < 6 {
		t.Errorf("store holds %d bytes in %d responses, bound %d", held, store.Len(), bound)
	}
	if grew > bound+bound/8 {
		t.Errorf("heap grew by %d bytes, over the %d-byte bound", grew, bound)
	}
	if grew > held+held/8 {
		t.Errorf("heap grew by %d bytes for %d held: more than 1.125 bytes per byte", grew, held)
	}
}

// countingStore counts the loads of a stored response by an item's id.
type countingStore struct {
	responses.Store
	byItem atomic.Int64
}

func (s *countingStore) GetByItem(ctx context.Context, owner, id string) (*responses.Stored, error) {
	s.byItem.Add(1)
	return s.Store.GetByItem(ctx, owner, id)
}

// TestItemReferencesBounded: the items a request references add up to the
// body limit at most (a short reference must not stand for gigabytes of
// input), and a stored response is loaded once however often its items are
// referenced.
func TestItemReferencesBounded(t *testing.T) {
	store := &countingStore{Store: responses.NewMemoryStore(responses.Limits{})}
	srv := serveDialects(t, &dialectBackend{}, oaicompat.WithResponseStore(store), oaicompat.WithMaxRequestBytes(64<<10))
	status, _, body := post(t, srv.URL+"/v1/responses", `{"model":"m","input":"`+strings.Repeat("x", 10<<10)+`"}`)
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	status, _, list := send(t, "GET", srv.URL+"/v1/responses/"+decodeJSON(t, body)["id"].(string)+"/input_items", "")
	items, _ := decodeJSON(t, list)["data"].([]any)
	if status != 200 || len(items) != 1 {
		t.Fatalf("input items: %d %s", status, list)
	}
	ref := `{"type":"item_reference","id":"` + items[0].(map[string]any)["id"].(string) + `"}`
	refs := func(n int) string { return strings.TrimSuffix(strings.Repeat(ref+",", n), ",") }
	for _, c := range []struct {
		n    int
		want int
	}{{5, 200}, {7, 400}} { // 10 KiB each, against 64 KiB
		store.byItem.Store(0)
		status, _, body := post(t, srv.URL+"/v1/responses", `{"model":"m","store":false,"input":[`+refs(c.n)+`]}`)
		if status != c.want || c.want == 400 && !strings.Contains(body, `"param":"input"`) {
			t.Errorf("%d references: %d %.300s", c.n, status, body)
		}
		if n := store.byItem.Load(); n != 1 {
			t.Errorf("%d references loaded the stored response %d times", c.n, n)
		}
	}
}
