package adaptertest

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// envelope is an expected OpenAI error response; an empty Message matches
// any message.
type envelope struct {
	Status     int
	Type, Code string
	Message    string
}

// checkEnvelope fails t unless res is want in OpenAI's error envelope: the
// status, a JSON body {"error":{...}} with exactly message, type, param (null)
// and code (null when want.Code is empty).
func checkEnvelope(t *testing.T, res *http.Response, want envelope) {
	t.Helper()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != want.Status {
		t.Fatalf("status %d, want %d; body %s", res.StatusCode, want.Status, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var env struct {
		Error map[string]*string `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil || len(env.Error) != 4 {
		t.Fatalf("body %s is not OpenAI's error envelope with four keys (%v)", body, err)
	}
	str := func(k string) string {
		if v := env.Error[k]; v != nil {
			return *v
		}
		return "<null>"
	}
	wantCode := want.Code
	if wantCode == "" {
		wantCode = "<null>"
	}
	if str("type") != want.Type || str("code") != wantCode || str("param") != "<null>" {
		t.Errorf("body %s: want type %q, code %s, param null", body, want.Type, wantCode)
	}
	if want.Message != "" && str("message") != want.Message {
		t.Errorf("message %q, want %q", str("message"), want.Message)
	}
	if str("message") == "" || str("message") == "<null>" {
		t.Errorf("body %s: empty message", body)
	}
}
