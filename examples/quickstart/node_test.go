package main

import (
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/oaicompat/oaicompat/internal/testenv"
)

// nodeResults are what nodetest/aisdk.mjs and langchain.mjs print; each
// script asserts too, so a failed assertion fails its run.
type nodeResults struct {
	ChatAgent, ResponsesAgent, Agent *agentRun
	Structured                       map[string]any `json:"structured"`
	Embeddings                       *struct {
		Dimensions         int
		Similar, Unrelated float64
	} `json:"embeddings"`
	Stream *struct {
		Text   string `json:"text"`
		Pieces int    `json:"pieces"`
	} `json:"stream"`
}

// agentRun is an agent loop as a script saw it: the tool's calls, the
// steps (AI SDK) and the final text.
type agentRun struct {
	Calls []struct{ City string } `json:"calls"`
	Steps int                     `json:"steps"`
	Text  string                  `json:"text"`
}

// TestNodeClients runs the Vercel AI SDK and LangChain.js (nodetest/)
// against the demo: an agent loop under tool_choice auto, a structured
// output, embeddings and streamed text, each checked here on what the
// script saw.
func TestNodeClients(t *testing.T) {
	srv, _ := startDemo(t)
	const answer = "Here is what I found. get_weather for Paris: city Paris, temperature 22, condition sunny."
	for _, c := range []struct {
		script, module string
		check          func(t *testing.T, r nodeResults)
	}{
		{"aisdk.mjs", "ai", func(t *testing.T, r nodeResults) {
			for name, a := range map[string]*agentRun{"chat": r.ChatAgent, "responses": r.ResponsesAgent} {
				if a == nil || len(a.Calls) != 1 || a.Calls[0].City != "Paris" || a.Steps != 2 || a.Text != answer {
					t.Errorf("%s agent loop: %+v", name, a)
				}
			}
			if age, _ := r.Structured["age"].(float64); age != 34 || r.Structured["email"] != "alice.martin@example.com" || r.Structured["city"] != "Paris" {
				t.Errorf("structured output %v", r.Structured)
			}
			if e := r.Embeddings; e == nil || e.Dimensions != 256 || e.Similar < 0.5 || e.Unrelated > 0.25 {
				t.Errorf("embeddings %+v", e)
			}
			if s := r.Stream; s == nil || s.Text != "6*7 equals 42." || s.Pieces != 3 {
				t.Errorf("stream %+v", s)
			}
		}},
		{"langchain.mjs", "@langchain/openai", func(t *testing.T, r nodeResults) {
			if a := r.Agent; a == nil || len(a.Calls) != 1 || a.Calls[0].City != "Paris" || a.Text != answer {
				t.Errorf("agent loop: %+v", a)
			}
			if b, _ := json.Marshal(r.Structured); string(b) != `{"destination":"Tokyo","nights":5,"travellers":["Alice Martin","Bob Smith"]}` {
				t.Errorf("structured output %s", b)
			}
			if e := r.Embeddings; e == nil || e.Dimensions != 64 || e.Similar < 0.5 || e.Unrelated > 0.25 {
				t.Errorf("embeddings %+v", e)
			}
			if s := r.Stream; s == nil || s.Text != "6*7 equals 42." || s.Pieces != 3 {
				t.Errorf("stream %+v", s)
			}
		}},
	} {
		t.Run(c.script, func(t *testing.T) {
			var r nodeResults
			runNode(t, c.script, c.module, srv.URL, &r)
			c.check(t, r)
		})
	}
}

// runNode runs nodetest/<script> with the server's URL, after checking that
// node and the npm module it needs are installed, and decodes the JSON it
// prints into out.
func runNode(t *testing.T, script, module, url string, out any) {
	t.Helper()
	node, dir := testenv.Node(t, "../../nodetest", module)
	cmd := exec.Command(node, script, url)
	cmd.Dir = dir
	printed, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("node %s: %v\n%s%s", script, err, printed, stderr)
	}
	if err := json.Unmarshal(printed, out); err != nil {
		t.Fatalf("node %s printed %s: %v", script, printed, err)
	}
}
