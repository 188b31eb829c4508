package oaicompat

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/oaicompat/oaicompat/internal/jsonx"
)

// This file is the shared validator: every constraint the spec puts on a
// request field is checked here before a [Backend] runs. A violation is a 400
// invalid_request_error whose param is the field path, e.g. messages[1].role.

// validate checks a chat request as the handler does.
func (r *ChatRequest) validate() error {
	if r.Model == "" {
		return missing("model")
	}
	if r.Messages == nil {
		return missing("messages")
	}
	if len(r.Messages) == 0 {
		e := InvalidRequest("messages", "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.")
		e.Code = "empty_array"
		return e
	}
	for i := range r.Messages {
		if err := validateMessage(&r.Messages[i], i); err != nil {
			return err
		}
	}
	if err := validateToolTurns(r.Messages); err != nil {
		return err
	}
	if r.ParallelToolCalls != nil && len(r.Tools) == 0 {
		return InvalidRequest("parallel_tool_calls", "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed when 'tools' are specified.")
	}
	for _, l := range []struct {
		name string
		n    int
	}{{"tools", len(r.Tools)}, {"functions", len(r.Functions)}} {
		if l.n > maxTools {
			e := InvalidRequest(l.name, "Invalid '%s': array too long. Expected an array with maximum length %d, but got an array with length %d instead.", l.name, maxTools, l.n)
			e.Code = "array_above_max_length"
			return e
		}
	}
	if err := (sampling{r.Temperature, r.TopP, r.PresencePenalty, r.FrequencyPenalty, r.N, r.LogitBias, r.Stop,
		r.StreamOptions != nil, r.Stream}).validate(); err != nil {
		return err
	}
	if err := checkIntRange("max_tokens", r.MaxTokens, 1, 1<<31-1); err != nil {
		return err
	}
	if err := checkIntRange("max_completion_tokens", r.MaxCompletionTokens, 1, 1<<31-1); err != nil {
		return err
	}
	if r.TopLogprobs != nil {
		if err := checkIntRange("top_logprobs", r.TopLogprobs, 0, 20); err != nil {
			return err
		}
		if !r.WantsLogprobs() {
			return InvalidRequest("top_logprobs", "Invalid value for 'top_logprobs': 'logprobs' must be set to true when 'top_logprobs' is used.")
		}
	}
	if err := validateMetadata(r.Metadata); err != nil {
		return err
	}
	names := make(map[string]bool, len(r.Tools))
	for i, t := range r.Tools {
		p := "tools[" + strconv.Itoa(i) + "]"
		switch t.Type {
		case "function":
			if t.Function == nil {
				return missing(p + ".function")
			}
			if err := checkName(p, ".function.name", t.Function.Name); err != nil {
				return err
			}
			names[t.Function.Name] = true
		case "custom":
			if t.Custom == nil {
				return missing(p + ".custom")
			}
			if err := checkName(p, ".custom.name", t.Custom.Name); err != nil {
				return err
			}
			names[t.Custom.Name] = true
		case "":
			return missing(p + ".type")
		default:
			return enumError(p+".type", t.Type, "function", "custom")
		}
	}
	for i, f := range r.Functions {
		if err := checkName("functions["+strconv.Itoa(i)+"]", ".name", f.Name); err != nil {
			return err
		}
		names[f.Name] = true
	}
	if err := validateToolChoice("tool_choice", r.ToolChoice, r.Tools != nil, names); err != nil {
		return err
	}
	if err := validateToolChoice("function_call", r.FunctionCall, r.Functions != nil, names); err != nil {
		return err
	}
	if rf := r.ResponseFormat; rf != nil {
		switch rf.Type {
		case "text", "json_object":
		case "json_schema":
			if rf.JSONSchema == nil {
				return missing("response_format.json_schema")
			}
			if err := checkName("response_format.json_schema.name", "", rf.JSONSchema.Name); err != nil {
				return err
			}
			if len(rf.JSONSchema.Schema) > 0 && jsonx.FirstByte(rf.JSONSchema.Schema) != '{' && !jsonx.IsNull(rf.JSONSchema.Schema) {
				return InvalidRequest("response_format.json_schema.schema", "Invalid type for 'response_format.json_schema.schema': expected an object.")
			}
		case "":
			return missing("response_format.type")
		default:
			return enumError("response_format.type", rf.Type, "text", "json_object", "json_schema")
		}
	}
	if r.ReasoningEffort != "" {
		if err := checkEnum("reasoning_effort", r.ReasoningEffort, "none", "minimal", "low", "medium", "high", "xhigh", "max"); err != nil {
			return err
		}
	}
	if r.Verbosity != "" {
		if err := checkEnum("verbosity", r.Verbosity, "low", "medium", "high"); err != nil {
			return err
		}
	}
	wantsAudio := false
	for i, m := range r.Modalities {
		if err := checkEnum("modalities["+strconv.Itoa(i)+"]", m, "text", "audio"); err != nil {
			return err
		}
		wantsAudio = wantsAudio || m == "audio"
	}
	for _, f := range []struct {
		param string
		raw   json.RawMessage
	}{{"audio", r.Audio}, {"prediction", r.Prediction}, {"web_search_options", r.WebSearchOptions},
		{"moderation", r.Moderation}, {"prompt_cache_options", r.PromptCacheOptions}} {
		if err := checkObject(f.param, f.raw); err != nil {
			return err
		}
	}
	if wantsAudio && !present(r.Audio) {
		return InvalidRequest("audio", "Missing required parameter: 'audio'. It is required when 'modalities' includes 'audio'.")
	}
	if r.ServiceTier != "" {
		if err := checkEnum("service_tier", r.ServiceTier, "auto", "default", "flex", "scale", "priority", "fast"); err != nil {
			return err
		}
	}
	return validateSchemas(r)
}

// sampling holds the request fields chat and legacy completions share, and
// validates them the same way for both.
type sampling struct {
	temperature, topP, presence, frequency *float64
	n                                      *int
	logitBias                              map[string]float64
	stop                                   Stop
	streamOptions, stream                  bool
}

func (s sampling) validate() error {
	if err := checkRange("temperature", s.temperature, 0, 2); err != nil {
		return err
	}
	if err := checkRange("top_p", s.topP, 0, 1); err != nil {
		return err
	}
	if err := checkRange("presence_penalty", s.presence, -2, 2); err != nil {
		return err
	}
	if err := checkRange("frequency_penalty", s.frequency, -2, 2); err != nil {
		return err
	}
	if err := checkIntRange("n", s.n, 1, 128); err != nil {
		return err
	}
	for tok, bias := range s.logitBias {
		if _, err := strconv.ParseUint(tok, 10, 32); err != nil {
			return InvalidValue("logit_bias", "Invalid key in 'logit_bias': '%s'. Keys must be token ids (integers).", tok)
		}
		if bias < -100 || bias > 100 {
			return InvalidValue("logit_bias", "Invalid 'logit_bias': bias for token %s must be between -100 and 100.", tok)
		}
	}
	if len(s.stop) > 4 {
		return InvalidRequest("stop", "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length %d instead.", len(s.stop))
	}
	if s.streamOptions && !s.stream {
		return InvalidRequest("stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled.")
	}
	return nil
}

func validateMessage(m *Message, i int) error {
	// Paths are built only on the error path, so valid messages cost no allocations.
	p := func(suffix string) string { return "messages[" + strconv.Itoa(i) + "]" + suffix }
	var allowed []string
	switch m.Role {
	case RoleSystem, RoleDeveloper:
		allowed = textOnly
	case RoleUser:
		allowed = userParts
	case RoleAssistant:
		allowed = assistantParts
		if m.Content.IsNull() && len(m.ToolCalls) == 0 && m.FunctionCall == nil && !present(m.Audio) {
			return InvalidRequest(p(".content"), "Invalid value for '%s': an assistant message must have 'content' or 'tool_calls'.", p(".content"))
		}
		for j, tc := range m.ToolCalls {
			tp := func(suffix string) string { return p(".tool_calls[" + strconv.Itoa(j) + "]" + suffix) }
			if tc.ID == "" {
				return missing(tp(".id"))
			}
			switch tc.Type {
			case "function":
				if tc.Function == nil {
					return missing(tp(".function"))
				}
				if tc.Function.Name == "" {
					return missing(tp(".function.name"))
				}
			case "custom":
				if tc.Custom == nil {
					return missing(tp(".custom"))
				}
			case "":
				return missing(tp(".type"))
			default:
				return enumError(tp(".type"), tc.Type, "function", "custom")
			}
		}
	case RoleTool:
		allowed = textOnly
		if m.ToolCallID == "" {
			return missing(p(".tool_call_id"))
		}
	case RoleFunction:
		if m.Name == "" {
			return missing(p(".name"))
		}
		return nil
	case "":
		return missing(p(".role"))
	default:
		return enumError(p(".role"), m.Role, "system", "developer", "user", "assistant", "tool", "function")
	}
	if m.Content.IsNull() {
		if m.Role != RoleAssistant {
			return missing(p(".content"))
		}
		return nil
	}
	if m.Content.IsString() {
		return nil
	}
	parts := m.Content.Parts()
	if len(parts) == 0 {
		return InvalidRequest(p(".content"), "Invalid '%s': empty array. Expected an array with minimum length 1, but got an empty array instead.", p(".content"))
	}
	for j := range parts {
		pp := func(suffix string) string { return p(".content[" + strconv.Itoa(j) + "]" + suffix) }
		part := &parts[j]
		if part.Type == "" {
			return missing(pp(".type"))
		}
		if !contains(allowed, part.Type) {
			return enumError(pp(".type"), part.Type, allowed...)
		}
		switch part.Type {
		case "text":
			if part.noText {
				return missing(pp(".text"))
			}
		case "image_url":
			if part.ImageURL == nil || part.ImageURL.URL == "" {
				return missing(pp(".image_url.url"))
			}
			if d := part.ImageURL.Detail; d != "" {
				if !contains(imageDetails, d) {
					return enumError(pp(".image_url.detail"), d, imageDetails...)
				}
			}
		case "input_audio":
			if part.InputAudio == nil || part.InputAudio.Data == "" {
				return missing(pp(".input_audio.data"))
			}
			if f := part.InputAudio.Format; !contains(audioFormats, f) {
				return enumError(pp(".input_audio.format"), f, audioFormats...)
			}
		case "file":
			if part.File == nil {
				return missing(pp(".file"))
			}
		}
	}
	return nil
}

var (
	textOnly       = []string{"text"}
	userParts      = []string{"text", "image_url", "input_audio", "file"}
	assistantParts = []string{"text", "refusal"}
	imageDetails   = []string{"auto", "low", "high"}
	audioFormats   = []string{"wav", "mp3"}
)

func validateToolChoice(param string, tc *ToolChoice, haveTools bool, names map[string]bool) error {
	if tc == nil {
		return nil
	}
	if tc.Type == "" {
		if tc.Mode == "" {
			return InvalidRequest(param, "Invalid value for '%s': expected a string or an object.", param)
		}
		if err := checkEnum(param, tc.Mode, "none", "auto", "required"); err != nil {
			return err
		}
		if tc.Mode != ToolChoiceNone && !haveTools {
			return InvalidRequest(param, "Invalid value for '%s': '%s' is only allowed when 'tools' are specified.", param, param)
		}
		return nil
	}
	switch tc.Type {
	case "function", "custom":
		if tc.Name == "" {
			return missing(param + "." + tc.Type + ".name")
		}
		if !names[tc.Name] {
			return InvalidRequest(param, "Invalid value for '%s': no function named '%s' was specified in the 'tools' parameter.", param, tc.Name)
		}
	case "allowed_tools":
		if tc.AllowedTools == nil {
			return missing(param + ".allowed_tools")
		}
		if err := checkEnum(param+".allowed_tools.mode", tc.AllowedTools.Mode, "auto", "required"); err != nil {
			return err
		}
	default:
		return enumError(param+".type", tc.Type, "function", "custom", "allowed_tools")
	}
	return nil
}

func validateMetadata(md map[string]string) error {
	if len(md) > 16 {
		return InvalidRequest("metadata", "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with %d properties instead.", len(md))
	}
	for k, v := range md {
		if len(k) > 64 {
			return InvalidRequest("metadata", "Invalid 'metadata': key '%s' is longer than 64 characters.", k)
		}
		if len(v) > 512 {
			return InvalidRequest("metadata."+k, "Invalid 'metadata.%s': string too long. Expected a string with maximum length 512, but got a string with length %d instead.", k, len(v))
		}
	}
	return nil
}

// validate checks an embeddings request as the handler does.
func (r *EmbeddingRequest) validate() error {
	if r.Model == "" {
		return missing("model")
	}
	in := &r.Input
	switch in.form {
	case inputNone:
		return missing("input")
	case inputString:
		if in.Strings[0] == "" {
			return InvalidRequest("input", "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.")
		}
	case inputStrings:
		if len(in.Strings) == 0 || len(in.Strings) > 2048 {
			return InvalidRequest("input", "Invalid 'input': expected an array of 1 to 2048 strings, but got %d.", len(in.Strings))
		}
		for i, s := range in.Strings {
			if s == "" {
				return InvalidRequest("input["+strconv.Itoa(i)+"]", "Invalid 'input[%d]': string must be non-empty.", i)
			}
		}
	case inputTokens, inputTokenLists:
		if len(in.Tokens) == 0 || len(in.Tokens) > 2048 {
			return InvalidRequest("input", "Invalid 'input': expected an array of 1 to 2048 token lists, but got %d.", len(in.Tokens))
		}
		for i, toks := range in.Tokens {
			if len(toks) == 0 {
				if in.form == inputTokens {
					return InvalidRequest("input", "Invalid 'input': empty array of tokens.")
				}
				return InvalidRequest("input["+strconv.Itoa(i)+"]", "Invalid 'input[%d]': empty array of tokens.", i)
			}
			for _, t := range toks {
				if t < 0 {
					return InvalidRequest("input", "Invalid 'input': token ids must be non-negative.")
				}
			}
		}
	}
	if r.EncodingFormat != "" {
		if err := checkEnum("encoding_format", r.EncodingFormat, "float", "base64"); err != nil {
			return err
		}
	}
	return checkIntRange("dimensions", r.Dimensions, 1, 1<<20)
}

// validate checks an image generation request as the handler does.
func (r *ImageRequest) validate() error {
	if r.Prompt == "" {
		return missing("prompt")
	}
	if len(r.Prompt) > 32000 {
		return InvalidRequest("prompt", "Invalid 'prompt': string too long. Expected a string with maximum length 32000, but got a string with length %d instead.", len(r.Prompt))
	}
	if err := checkIntRange("n", r.N, 1, 10); err != nil {
		return err
	}
	if r.Size != "" && !validImageSize(r.Size) {
		return InvalidValue("size", "Invalid value: '%s'. Supported values are: 'auto', '256x256', '512x512', '1024x1024', '1536x1024', '1024x1536', '1792x1024', '1024x1792', or 'WxH' with both sides between 16 and 3840.", r.Size)
	}
	if r.ResponseFormat != "" {
		if err := checkEnum("response_format", r.ResponseFormat, "url", "b64_json"); err != nil {
			return err
		}
	}
	for _, c := range []struct {
		param, v string
		allowed  []string
	}{
		{"quality", r.Quality, []string{"standard", "hd", "low", "medium", "high", "auto"}},
		{"style", r.Style, []string{"vivid", "natural"}},
		{"output_format", r.OutputFormat, []string{"png", "jpeg", "webp"}},
		{"background", r.Background, []string{"transparent", "opaque", "auto"}},
		{"moderation", r.Moderation, []string{"low", "auto"}},
	} {
		if c.v != "" {
			if err := checkEnum(c.param, c.v, c.allowed...); err != nil {
				return err
			}
		}
	}
	if err := checkIntRange("output_compression", r.OutputCompression, 0, 100); err != nil {
		return err
	}
	if err := checkIntRange("partial_images", r.PartialImages, 0, 3); err != nil {
		return err
	}
	if r.Stream {
		return InvalidValue("stream", "Streaming image generation is not supported by this server.")
	}
	return nil
}

// ImageSize parses a "WxH" size; ok is false for "auto" or a malformed size.
func imageSize(size string) (w, h int, ok bool) {
	ws, hs, found := strings.Cut(size, "x")
	if !found {
		return 0, 0, false
	}
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	return w, h, err1 == nil && err2 == nil && w > 0 && h > 0
}

func validImageSize(size string) bool {
	if size == "auto" {
		return true
	}
	w, h, ok := imageSize(size)
	return ok && w >= 16 && h >= 16 && w <= 3840 && h <= 3840
}

// maxTools is the most tools (or functions) a request may offer, as at
// OpenAI.
const maxTools = 128

// validateToolTurns checks the conversation's tool turns as OpenAI does:
// every tool message answers a call of the assistant message before it, and
// an assistant message with tool_calls is followed by a tool message for
// each of its calls.
func validateToolTurns(msgs []Message) error {
	f := findToolTurnFault(msgs)
	switch {
	case f == nil:
		return nil
	case f.open != nil:
		p := "messages[" + strconv.Itoa(f.index) + "].role"
		return InvalidRequest(p, "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: %s", strings.Join(f.open, ", "))
	case f.orphan:
		return InvalidRequest("messages["+strconv.Itoa(f.index)+"].role", "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.")
	default:
		p := "messages[" + strconv.Itoa(f.index) + "].tool_call_id"
		return InvalidRequest(p, "Invalid parameter: 'tool_call_id' of '%s' not found in 'tool_calls' of previous message.", f.id)
	}
}

// toolTurnFault is the first fault of a conversation's tool turns: the
// tool message at index answers no call of the assistant message before it
// (id is its tool_call_id; orphan when no assistant message with calls
// precedes it), or the assistant message at index has calls that no tool
// message answered (open).
type toolTurnFault struct {
	index  int
	id     string
	orphan bool
	open   []string
}

// findToolTurnFault returns the first fault of msgs' tool turns, or nil.
// Chat and the dialects translated onto it word it each their own way.
func findToolTurnFault(msgs []Message) *toolTurnFault {
	var buf [8]string
	calls := idList{ids: buf[:0]} // the ids of the last assistant message's calls
	var answered []bool           // which of them a tool message answered
	from := -1                    // the index of that assistant message
	unanswered := func() *toolTurnFault {
		var open []string
		for j, id := range calls.ids {
			if !answered[j] {
				open = append(open, id)
			}
		}
		if len(open) == 0 {
			return nil
		}
		return &toolTurnFault{index: from, open: open}
	}
	for i := range msgs {
		m := &msgs[i]
		if m.Role == RoleTool {
			j := calls.find(m.ToolCallID)
			if j < 0 {
				return &toolTurnFault{index: i, id: m.ToolCallID, orphan: from < 0}
			}
			answered[j] = true
			continue
		}
		if f := unanswered(); f != nil {
			return f
		}
		calls, answered, from = calls.reset(), answered[:0], -1
		if m.Role == RoleAssistant && len(m.ToolCalls) > 0 {
			for _, tc := range m.ToolCalls {
				calls = calls.add(tc.ID)
				answered = append(answered, false)
			}
			from = i
		}
	}
	return unanswered()
}

// present reports whether a raw field was given and is not null.
func present(raw json.RawMessage) bool { return len(raw) > 0 && !jsonx.IsNull(raw) }

// checkObject checks that a raw field, when present, is a JSON object.
func checkObject(param string, raw json.RawMessage) error {
	if !present(raw) || jsonx.FirstByte(raw) == '{' {
		return nil
	}
	var v any
	_ = json.Unmarshal(raw, &v)
	e := InvalidRequest(param, "Invalid type for '%s': expected an object, but got %s instead.", param, jsonKind(v))
	e.Code = "invalid_type"
	return e
}

func missing(param string) *Error {
	return InvalidRequest(param, "Missing required parameter: '%s'.", param)
}

func enumError(param, got string, allowed ...string) *Error {
	return InvalidValue(param, "Invalid value: '%s'. Supported values are: %s.", got, quoteList(allowed))
}

func checkEnum(param, got string, allowed ...string) error {
	if contains(allowed, got) {
		return nil
	}
	return enumError(param, got, allowed...)
}

func quoteList(xs []string) string {
	var sb strings.Builder
	for i, x := range xs {
		switch {
		case i == 0:
		case i == len(xs)-1:
			sb.WriteString(", and ")
		default:
			sb.WriteString(", ")
		}
		sb.WriteString("'" + x + "'")
	}
	return sb.String()
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func checkRange(param string, v *float64, lo, hi float64) error {
	if v == nil || (*v >= lo && *v <= hi) {
		return nil
	}
	if *v < lo {
		return InvalidValue(param, "Invalid '%s': decimal below minimum value. Expected a value >= %s, but got %s instead.", param, fmtNum(lo), fmtNum(*v))
	}
	return InvalidValue(param, "Invalid '%s': decimal above maximum value. Expected a value <= %s, but got %s instead.", param, fmtNum(hi), fmtNum(*v))
}

func checkIntRange(param string, v *int, lo, hi int) error {
	if v == nil || (*v >= lo && *v <= hi) {
		return nil
	}
	if *v < lo {
		return InvalidValue(param, "Invalid '%s': integer below minimum value. Expected a value >= %d, but got %d instead.", param, lo, *v)
	}
	return InvalidValue(param, "Invalid '%s': integer above maximum value. Expected a value <= %d, but got %d instead.", param, hi, *v)
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

var namePattern = "^[a-zA-Z0-9_-]{1,64}$"

// checkName checks a tool or format name against namePattern; the error
// names the parameter prefix+suffix, joined only when there is one (the
// join would cost an allocation per tool of every request).
func checkName(prefix, suffix, name string) error {
	if name == "" {
		return missing(prefix + suffix)
	}
	if len(name) > 64 {
		param := prefix + suffix
		return InvalidRequest(param, "Invalid '%s': string too long. Expected a string with maximum length 64, but got a string with length %d instead.", param, len(name))
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			param := prefix + suffix
			return InvalidRequest(param, "Invalid '%s': string does not match pattern. Expected a string that matches the pattern '%s'.", param, namePattern)
		}
	}
	return nil
}
