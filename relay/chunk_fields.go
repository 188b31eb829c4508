package relay

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/oaicompat/oaicompat"
)

// Hand-written decoders for the members of upstream events the relay
// reads on every chunk (usage, tool-call fragments), so the hot path makes
// no reflective encoding/json call. They take valid JSON (the event was
// checked by jsonx.Valid) and decode it as encoding/json would into the same
// types: unknown members ignored, null leaving a field as it is, the last
// of duplicate members winning; a differential fuzz test holds them to
// that. Values of the wrong type fall back to encoding/json for its error.

// parseUsage decodes the usage object v into u.
func parseUsage(v []byte, u *oaicompat.Usage) error {
	var arr [8]member
	ms, _, err := members(v, arr[:0])
	if err != nil {
		return err
	}
	for _, m := range ms {
		x := v[m.start:m.end]
		name := fieldName(m.name, usageFields[:])
		if string(x) == "null" {
			if name == "prompt_tokens_details" {
				u.PromptTokensDetails = nil
			} else if name == "completion_tokens_details" {
				u.CompletionTokensDetails = nil
			}
			continue
		}
		switch name {
		case "prompt_tokens":
			err = parseInt(x, &u.PromptTokens)
		case "completion_tokens":
			err = parseInt(x, &u.CompletionTokens)
		case "total_tokens":
			err = parseInt(x, &u.TotalTokens)
		case "prompt_tokens_details":
			if u.PromptTokensDetails == nil {
				u.PromptTokensDetails = &oaicompat.PromptTokensDetails{}
			}
			d := u.PromptTokensDetails
			err = parseInts(x, [4]namedInt{{"cached_tokens", &d.CachedTokens}, {"audio_tokens", &d.AudioTokens}})
		case "completion_tokens_details":
			if u.CompletionTokensDetails == nil {
				u.CompletionTokensDetails = &oaicompat.CompletionTokensDetails{}
			}
			d := u.CompletionTokensDetails
			err = parseInts(x, [4]namedInt{{"reasoning_tokens", &d.ReasoningTokens}, {"audio_tokens", &d.AudioTokens},
				{"accepted_prediction_tokens", &d.AcceptedPredictionTokens}, {"rejected_prediction_tokens", &d.RejectedPredictionTokens}})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

var (
	usageFields    = [...]string{"prompt_tokens", "completion_tokens", "total_tokens", "prompt_tokens_details", "completion_tokens_details"}
	toolCallFields = [...]string{"index", "id", "type", "function"}
	functionFields = [...]string{"name", "arguments"}
)

// fieldName returns the name in known that the member name matches as
// encoding/json matches them: exactly, else ignoring case (the first such);
// "" when none does.
func fieldName(name []byte, known []string) string {
	for _, k := range known {
		if string(name) == k {
			return k
		}
	}
	for _, k := range known {
		if bytes.EqualFold(name, []byte(k)) {
			return k
		}
	}
	return ""
}

// namedInt is an int member of a small object.
type namedInt struct {
	name string
	p    *int
}

// parseInts decodes the object v's int members named in fields.
func parseInts(v []byte, fields [4]namedInt) error {
	var arr [8]member
	ms, _, err := members(v, arr[:0])
	if err != nil {
		return typeError(v, new(struct{}))
	}
	for _, m := range ms {
		x := v[m.start:m.end]
		if string(x) == "null" {
			continue
		}
		var names [4]string
		for i, f := range fields {
			names[i] = f.name
		}
		name := fieldName(m.name, names[:])
		for _, f := range fields {
			if f.p != nil && name != "" && name == f.name {
				if err := parseInt(x, f.p); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// parseInt decodes the JSON number v into an int.
func parseInt(v []byte, p *int) error {
	n, err := strconv.Atoi(string(v))
	if err != nil {
		return typeError(v, p)
	}
	*p = n
	return nil
}

// typeError is encoding/json's error for v decoded into p (nil if it
// decodes after all).
func typeError(v []byte, p any) error {
	return json.Unmarshal(v, p)
}

// parseString decodes the JSON string v into *p (null leaves it).
func parseString(v []byte, p *string) error {
	if string(v) == "null" {
		return nil
	}
	s, err := unquote(v)
	if err != nil {
		return typeError(v, p)
	}
	*p = s
	return nil
}

// parseToolCalls decodes the tool_calls array v into calls (reset first,
// its storage reused).
func parseToolCalls(v []byte, calls []toolCallChunk) ([]toolCallChunk, error) {
	calls = calls[:0]
	err := elements(v, func(e []byte) error {
		calls = append(calls, toolCallChunk{})
		tc := &calls[len(calls)-1]
		if string(e) == "null" {
			return nil
		}
		var arr [8]member
		ms, _, err := members(e, arr[:0])
		if err != nil {
			return typeError(e, tc)
		}
		for _, m := range ms {
			x := e[m.start:m.end]
			if string(x) == "null" {
				continue
			}
			switch fieldName(m.name, toolCallFields[:]) {
			case "index":
				err = parseInt(x, &tc.Index)
			case "id":
				err = parseString(x, &tc.ID)
			case "type":
				err = parseString(x, &tc.Type)
			case "function":
				err = parseFunction(x, tc)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errNotArray) {
		return calls, typeError(v, &calls)
	}
	return calls, err
}

func parseFunction(v []byte, tc *toolCallChunk) error {
	var arr [4]member
	ms, _, err := members(v, arr[:0])
	if err != nil {
		return typeError(v, &tc.Function)
	}
	for _, m := range ms {
		x := v[m.start:m.end]
		switch fieldName(m.name, functionFields[:]) {
		case "name":
			err = parseString(x, &tc.Function.Name)
		case "arguments":
			err = parseString(x, &tc.Function.Arguments)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
