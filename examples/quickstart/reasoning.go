package main

import (
	"fmt"
	"strings"

	"github.com/oaicompat/oaicompat"
)

// thinkPrefix starts a prompt that asks for reasoning before the answer.
const thinkPrefix = "think step by step:"

// thinking splits "Think step by step: What is 6*7?" into the demo's
// reasoning steps and the question to answer; ok is false for prompts
// that do not ask for reasoning.
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

// reasoningWriter is the method ChatWriter gains to send a reply's
// reasoning (the reasoning_content of chat deltas, reasoning items in the
// Responses API).
type reasoningWriter interface {
	WriteReasoning(text string) error
}

// writeReasoning sends steps as the reply's reasoning when the ChatWriter
// can (the hook for ChatWriter.WriteReasoning, found by type assertion so
// that the demo builds on either side of its arrival), and does nothing
// otherwise: the answer follows either way.
func writeReasoning(w *oaicompat.ChatWriter, steps string) error {
	if r, ok := any(w).(reasoningWriter); ok {
		return r.WriteReasoning(steps)
	}
	return nil
}
