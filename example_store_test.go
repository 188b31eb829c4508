package oaicompat_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/responses"
)

// A gateway in front names the tenant in X-Tenant; each tenant's stored
// responses are private to it, in a store of 64 MiB where each tenant is
// guaranteed 4 MiB.
func ExampleWithOwner() {
	store := responses.NewMemoryStore(responses.Limits{MaxBytes: 64 << 20, OwnerBytes: 4 << 20})
	h := oaicompat.NewHandler(echoBackend{},
		oaicompat.WithResponseStore(store),
		oaicompat.WithOwner(func(r *http.Request) string { return r.Header.Get("X-Tenant") }))
	srv := httptest.NewServer(h)
	defer srv.Close()

	call := func(tenant, method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("X-Tenant", tenant)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		defer res.Body.Close()
		var out struct {
			ID    string `json:"id"`
			Error struct{ Message string }
		}
		_ = json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out.ID + out.Error.Message
	}
	_, id := call("acme", "POST", "/v1/responses", `{"model":"m","input":"hello"}`)
	status, _ := call("acme", "GET", "/v1/responses/"+id, "")
	fmt.Println("acme reads its response:", status)
	status, msg := call("globex", "GET", "/v1/responses/"+id, "")
	fmt.Println("globex reads it:", status, strings.Replace(msg, id, "resp_…", 1))
	// Output:
	// acme reads its response: 200
	// globex reads it: 404 Response with id 'resp_…' not found.
}
