package oaitest_test

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat/oaitest"
)

// TestRecordOrder: interactions are taped in the order their responses
// began, even when a stream's upstream body ends after the client, done
// with the last event, has made its next request (a flake of
// TestRecordGolden on a loaded machine).
func TestRecordOrder(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/models" {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"object":"list","data":[]}`)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: [DONE]\n\n")
		w.(http.Flusher).Flush()
		<-release // the body ends only after the next request
	}))
	defer up.Close()
	defer close(release)
	path := filepath.Join(t.TempDir(), "order.oaitape.json")
	t.Run("record", func(t *testing.T) {
		rec := oaitest.NewRecorder(t, path, oaitest.RecordFrom(up.URL, "k"))
		resp, err := http.Post(rec.URL()+"/chat/completions", "application/json", strings.NewReader(`{"stream":true}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if line, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil || line != "data: [DONE]\n" {
			t.Fatalf("read %q, %v", line, err)
		}
		models, err := http.Get(rec.URL() + "/models")
		if err != nil {
			t.Fatal(err)
		}
		models.Body.Close()
		release <- struct{}{}
	})
	tape, err := oaitest.LoadTape(path)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, it := range tape.Interactions {
		paths = append(paths, it.Request.Path)
	}
	if got := strings.Join(paths, " "); got != "/v1/chat/completions /v1/models" {
		t.Errorf("taped in the order %s", got)
	}
}
