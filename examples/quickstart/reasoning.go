package main

import (
	"fmt"
	"strings"
)

// thinkPrefix starts a prompt that asks for reasoning before the answer.
const thinkPrefix = "think step by step:"

// thinking splits "Think step by step: What is 6*7?" into the demo's
// reasoning steps, which Chat sends with ChatWriter.WriteReasoning before
// the answer (reasoning_content in chat, a reasoning item in the
// Responses API, a thinking block in Anthropic Messages), and the question
// to answer; ok is false for prompts that do not ask for reasoning.
func thinking(prompt string) (steps, question string, ok bool) {
	p := strings.TrimSpace(prompt)
	if len(p) < len(thinkPrefix) || !strings.EqualFold(p[:len(thinkPrefix)], thinkPrefix) {
		return "", prompt, false
	}
	question = strings.TrimSpace(p[len(thinkPrefix):])
	if m := arithmetic.FindStringSubmatch(question); m != nil {
		op := map[string]string{"+": "Adding", "-": "Subtracting", "*": "Multiplying", "/": "Dividing"}[m[2]]
		return fmt.Sprintf("The question asks for %s%s%s. %s %s and %s: %s",
			m[1], m[2], m[3], op, m[1], m[3], strings.ToLower(answer(question)[:1])+answer(question)[1:]), question, true
	}
	return fmt.Sprintf("The question is %q. No rule of mine computes it, so I repeat it.", question), question, true
}
