package oaicompat

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/oaicompat/oaicompat/internal/jsonx"
)

// completionRequest is the body of the legacy POST /v1/completions. The
// handler answers it through the chat [Backend]: each prompt becomes one user
// message, and the choices are the chat answers (see serveCompletions).
type completionRequest struct {
	Model string `json:"model"`
	// Prompt has the four forms of an embeddings input: a string, strings,
	// token ids, or lists of token ids. It is required, as in the spec.
	Prompt EmbeddingInput `json:"prompt"`
	// Suffix is not supported by the translation: a non-empty suffix
	// answers 400.
	Suffix           *string            `json:"suffix,omitempty"`
	MaxTokens        *int               `json:"max_tokens,omitempty"`
	Temperature      *float64           `json:"temperature,omitempty"`
	TopP             *float64           `json:"top_p,omitempty"`
	N                *int               `json:"n,omitempty"`
	Stream           bool               `json:"stream,omitempty"`
	StreamOptions    *StreamOptions     `json:"stream_options,omitempty"`
	Logprobs         *int               `json:"logprobs,omitempty"`
	Echo             bool               `json:"echo,omitempty"`
	Stop             Stop               `json:"stop,omitempty"`
	PresencePenalty  *float64           `json:"presence_penalty,omitempty"`
	FrequencyPenalty *float64           `json:"frequency_penalty,omitempty"`
	BestOf           *int               `json:"best_of,omitempty"`
	LogitBias        map[string]float64 `json:"logit_bias,omitempty"`
	Seed             *int64             `json:"seed,omitempty"`
	User             string             `json:"user,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	Raw   json.RawMessage            `json:"-"`
}

// defaultMaxTokens is the legacy endpoint's max_tokens when absent.
const defaultMaxTokens = 16

// Choices returns n (1 when absent).
func (r *completionRequest) Choices() int {
	if r.N == nil {
		return 1
	}
	return *r.N
}

// Prompts returns the prompts as text: token-id prompts become their ids
// separated by spaces (a chat [Backend] with a tokenizer finds the original
// in [ChatRequest].Extra["prompt"]).
func (r *completionRequest) Prompts() []string {
	switch {
	case r.Prompt.IsTokens():
		out := make([]string, len(r.Prompt.Tokens))
		for i, toks := range r.Prompt.Tokens {
			var sb strings.Builder
			for j, t := range toks {
				if j > 0 {
					sb.WriteByte(' ')
				}
				sb.WriteString(strconv.Itoa(t))
			}
			out[i] = sb.String()
		}
		return out
	}
	return r.Prompt.Strings
}

// maxCompletionChoices bounds the completions of one legacy request, its
// prompts times n, as OpenAI bounds an embeddings input: each is a call of
// the backend, and without it a 32 MiB body of one-token prompts could ask
// for a billion.
const maxCompletionChoices = 2048

// validate checks a legacy completions request as the handler does.
func (r *completionRequest) validate() error {
	if r.Model == "" {
		return missing("model")
	}
	in := &r.Prompt
	switch in.form {
	case inputNone:
		return missing("prompt")
	case inputStrings:
		if len(in.Strings) == 0 {
			return InvalidRequest("prompt", "Invalid 'prompt': empty array. Expected an array with minimum length 1, but got an empty array instead.")
		}
	case inputTokens, inputTokenLists:
		if len(in.Tokens) == 0 {
			return InvalidRequest("prompt", "Invalid 'prompt': empty array. Expected an array with minimum length 1, but got an empty array instead.")
		}
		for i, toks := range in.Tokens {
			p := "prompt"
			if in.form == inputTokenLists {
				p = "prompt[" + strconv.Itoa(i) + "]"
			}
			if len(toks) == 0 {
				return InvalidRequest(p, "Invalid '%s': empty array of tokens.", p)
			}
			for _, t := range toks {
				if t < 0 {
					return InvalidRequest(p, "Invalid '%s': token ids must be non-negative.", p)
				}
			}
		}
	}
	if r.Suffix != nil && *r.Suffix != "" {
		return unsupportedParam("suffix", "'suffix' is not supported by this server: it answers completions through a chat backend, which cannot insert text.")
	}
	if err := checkIntRange("max_tokens", r.MaxTokens, 0, 1<<31-1); err != nil {
		return err
	}
	if err := (sampling{r.Temperature, r.TopP, r.PresencePenalty, r.FrequencyPenalty, r.N, r.LogitBias, r.Stop,
		r.StreamOptions != nil, r.Stream}).validate(); err != nil {
		return err
	}
	prompts := len(r.Prompt.Strings)
	if r.Prompt.IsTokens() {
		prompts = len(r.Prompt.Tokens)
	}
	if prompts > maxCompletionChoices {
		e := InvalidRequest("prompt", "Invalid 'prompt': array too long. Expected an array with maximum length %d, but got an array with length %d instead.", maxCompletionChoices, prompts)
		e.Code = "array_above_max_length"
		return e
	}
	if k := prompts * r.Choices(); k > maxCompletionChoices {
		return InvalidValue("n", "Invalid 'n': %d prompts with n=%d ask for %d completions; this server answers at most %d in one request.", prompts, r.Choices(), k, maxCompletionChoices)
	}
	if err := checkIntRange("logprobs", r.Logprobs, 0, 5); err != nil {
		return err
	}
	if err := checkIntRange("best_of", r.BestOf, 0, 20); err != nil {
		return err
	}
	if b := r.BestOf; b != nil && *b > 1 {
		switch {
		case *b < r.Choices():
			return InvalidValue("best_of", "Invalid 'best_of': best_of must be greater than or equal to n (%d), but got %d.", r.Choices(), *b)
		case r.Stream:
			return InvalidRequest("best_of", "Invalid value for 'best_of': best_of cannot be used with stream.")
		case *b > r.Choices():
			return unsupportedParam("best_of", "'best_of' greater than 'n' is not supported by this server: it cannot rank candidate completions.")
		}
	}
	return nil
}

// ToChatRequest translates the request for prompt (one of Prompts) into the
// chat request a [Backend] answers: the prompt as one user message, max_tokens
// (default 16) as max_tokens, logprobs k as logprobs:true with
// top_logprobs:k. Fields chat has no field for (echo, best_of, suffix, the
// original prompt, and unknown fields) ride along in Extra.
func (r *completionRequest) ToChatRequest(prompt string) *ChatRequest {
	max := defaultMaxTokens
	if r.MaxTokens != nil {
		max = *r.MaxTokens
	}
	c := &ChatRequest{
		Model: r.Model, Messages: []Message{{Role: RoleUser, Content: TextContent(prompt)}},
		Temperature: r.Temperature, TopP: r.TopP, N: r.N, Stream: r.Stream, Stop: r.Stop,
		MaxTokens: &max, PresencePenalty: r.PresencePenalty, FrequencyPenalty: r.FrequencyPenalty,
		LogitBias: r.LogitBias, Seed: r.Seed, User: r.User, Raw: r.Raw,
	}
	if r.Logprobs != nil {
		yes := true
		c.Logprobs, c.TopLogprobs = &yes, r.Logprobs
	}
	if jsonx.FirstByte(r.Raw) == '{' {
		c.Extra, _ = extraFields(r.Raw, completionFieldsMapped)
	}
	for k, v := range r.Extra {
		c.Extra = withExtra(c.Extra, k, v)
	}
	return c
}

var completionFieldsMapped = map[string]struct{}{
	"model": {}, "temperature": {}, "top_p": {}, "n": {}, "stream": {}, "stream_options": {}, "stop": {},
	"max_tokens": {}, "presence_penalty": {}, "frequency_penalty": {}, "logit_bias": {}, "seed": {}, "user": {}, "logprobs": {},
}

func (r *completionRequest) maxOutput() int {
	n := defaultMaxTokens
	if r.MaxTokens != nil {
		n = *r.MaxTokens
	}
	return n * r.Choices() * max(len(r.Prompts()), 1)
}
