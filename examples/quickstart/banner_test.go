package main

import (
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat/internal/testenv"
)

// bannerCommands returns the curl commands the banner prints, with their
// continuation lines joined.
func bannerCommands(b string) []string {
	var cmds []string
	var cur strings.Builder
	for _, line := range strings.Split(b, "\n") {
		line = strings.TrimSpace(line)
		if cur.Len() == 0 && !strings.HasPrefix(line, "curl ") {
			continue
		}
		cont := strings.HasSuffix(line, `\`)
		cur.WriteString(strings.TrimSuffix(line, `\`))
		cur.WriteByte(' ')
		if !cont {
			cmds = append(cmds, cur.String())
			cur.Reset()
		}
	}
	return cmds
}

// TestBannerCurlLines runs every curl line of the banner against the demo
// and checks the answer each one promises.
func TestBannerCurlLines(t *testing.T) {
	curl := testenv.LookPath(t, "curl", "apt-get install curl")
	srv := httptest.NewUnstartedServer(nil)
	srv.Config.Handler = newMux("http://"+srv.Listener.Addr().String(), 0)
	srv.Start()
	defer srv.Close()
	want := map[string]string{
		"/v1/responses -H":      `"text":"3*5 equals 15."`,
		"/v1/responses -H 'Con": `event: response.completed`,
		"/v1/completions":       `"text":"What is 7-9?7-9 equals -2."`,
		"/openai/deployments":   `"content":"2+2 equals 4."`,
		"get_weather":           `"function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}`,
		"/v1/messages":          `"content":[{"type":"thinking","thinking":"The question asks for 6*7. Multiplying 6 and 7: 6*7 equals 42.","signature":""},{"type":"text","text":"6*7 equals 42."}]`,
	}
	cmds := bannerCommands(banner(srv.URL))
	if len(cmds) < 10 {
		t.Fatalf("only %d curl lines in the banner", len(cmds))
	}
	seen := map[string]bool{}
	for _, cmd := range cmds {
		out, err := exec.Command("sh", "-c", strings.Replace(cmd, "curl ", curl+" -sS --fail-with-body ", 1)).CombinedOutput()
		if err != nil {
			t.Errorf("%s\n%v: %s", cmd, err, out)
			continue
		}
		for frag, w := range want {
			if strings.Contains(cmd, frag) && strings.Contains(cmd, "stream") == strings.Contains(w, "event:") {
				seen[frag] = true
				if !strings.Contains(string(out), w) {
					t.Errorf("%s\nanswered %s\nwant it to contain %s", cmd, out, w)
				}
			}
		}
	}
	for frag := range want {
		if !seen[frag] {
			t.Errorf("no banner line for %q", frag)
		}
	}
}

func TestBannerKeepsEnvVarNames(t *testing.T) {
	if b := banner("http://h:1"); !strings.Contains(b, "OPENAI_BASE_URL=http://h:1/v1") || !strings.Contains(b, "ANTHROPIC_BASE_URL=http://h:1 ") {
		t.Errorf("banner:\n%s", b)
	}
}
