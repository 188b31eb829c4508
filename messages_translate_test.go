package oaicompat

import (
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat/anthropic"
)

// TestMergeTurns: runs of one role become one turn whose blocks are the
// run's in order (a string becomes a text block); a turn alone keeps its
// content as it came. A run of 20,000 turns is merged once, not pairwise.
func TestMergeTurns(t *testing.T) {
	text := func(s string) anthropic.ContentBlock {
		return anthropic.ContentBlock{Type: anthropic.BlockText, Text: s}
	}
	turns := []anthropic.MessageParam{
		{Role: "user", Content: anthropic.TextContent("a")},
		{Role: "user", Content: anthropic.BlocksContent(text("b"), text("c"))},
		{Role: "assistant", Content: anthropic.TextContent("d")},
		{Role: "user", Content: anthropic.BlocksContent(text("e"))},
		{Role: "user", Content: anthropic.TextContent("f")},
		{Role: "user", Content: anthropic.TextContent("g")},
	}
	var got []string
	for _, m := range mergeTurns(turns) {
		var texts []string
		for _, b := range m.Content.Blocks() {
			texts = append(texts, b.Text)
		}
		got = append(got, m.Role+":"+strings.Join(texts, ",")+map[bool]string{true: "(string)"}[m.Content.IsString()])
	}
	if want := "user:a,b,c assistant:d(string) user:e,f,g"; strings.Join(got, " ") != want {
		t.Errorf("merged %q, want %q", strings.Join(got, " "), want)
	}
	long := make([]anthropic.MessageParam, 20000)
	for i := range long {
		long[i] = anthropic.MessageParam{Role: "user", Content: anthropic.BlocksContent(text("x"))}
	}
	if merged := mergeTurns(long); len(merged) != 1 || len(merged[0].Content.Blocks()) != 20000 {
		t.Errorf("20,000 user turns merged into %d", len(merged))
	}
}
