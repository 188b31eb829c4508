package oaitest

import (
	"unicode"
	"unicode/utf8"

	"github.com/oaicompat/oaicompat"
)

// The mock's tokenizer is a deterministic approximation, not a model's:
// a token is a run of spaces followed by a word of at most eight runes (longer words make several tokens), or
// a single punctuation rune. It decides how replies are split into stream
// deltas and paced, and how usage is computed when a reply sets none.

// maxTokenRunes bounds the letters of one token.
const maxTokenRunes = 8

// pieces splits s into tokens; concatenated they give s back.
func pieces(s string) []string {
	var out []string
	for len(s) > 0 {
		n := tokenLen(s)
		out = append(out, s[:n])
		s = s[n:]
	}
	return out
}

// tokenLen returns the byte length of the token s starts with.
func tokenLen(s string) int {
	i := 0
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i == len(s) {
		return i
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	i += size
	if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
		return i
	}
	for runes := 1; i < len(s) && runes < maxTokenRunes; runes++ {
		r, size = utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		i += size
	}
	return i
}

// CountTokens returns the number of tokens the mock counts in s.
func CountTokens(s string) int {
	n := 0
	for len(s) > 0 {
		s = s[tokenLen(s):]
		n++
	}
	return n
}

// PromptTokens returns the prompt tokens the mock reports for req: the
// tokens of every message's text and tool calls, plus 3 per message and 3
// for the reply's priming, as OpenAI's cookbook counts.
func PromptTokens(req *oaicompat.ChatRequest) int {
	n := 3
	for _, m := range req.Messages {
		n += 3 + CountTokens(m.Content.Text())
		for _, tc := range m.ToolCalls {
			if tc.Function != nil {
				n += CountTokens(tc.Function.Name) + CountTokens(tc.Function.Arguments)
			}
		}
	}
	return n
}

func embeddingTokens(req *oaicompat.EmbeddingRequest) int {
	n := 0
	for _, s := range req.Input.Strings {
		n += CountTokens(s)
	}
	for _, toks := range req.Input.Tokens {
		n += len(toks)
	}
	return n
}
