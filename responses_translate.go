package oaicompat

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	gojson "github.com/goccy/go-json"
	"github.com/oaicompat/oaicompat/internal/jsonx"
	"github.com/oaicompat/oaicompat/responses"
)

// This file translates a Responses request into the [ChatRequest] a chat
// [Backend] answers:
//
//	instructions                 -> a leading system message
//	input string                 -> one user message
//	message items (any role)     -> messages; input_text/output_text -> text,
//	                                input_image -> image_url, input_file -> file
//	function_call items          -> tool_calls of an assistant message (merged
//	                                with the assistant message just before)
//	function_call_output items   -> tool messages
//	reasoning items              -> reasoning_content of the next assistant message
//	flat tools / tool_choice     -> nested chat tools / tool_choice
//	text.format, text.verbosity  -> response_format, verbosity
//	max_output_tokens            -> max_completion_tokens
//	reasoning.effort             -> reasoning_effort
//	include message.output_text.logprobs, top_logprobs -> logprobs, top_logprobs
//
// Every request field chat has no field for (previous_response_id, store,
// include, reasoning, max_tool_calls, truncation, background, top_logprobs,
// an unknown service_tier, and any unknown field) rides along in
// [ChatRequest].Extra under its Responses name, as raw JSON. Raw is the
// Responses body as received.

// responseFieldsMapped are the request fields the translation maps onto
// chat fields; all others go to [ChatRequest].Extra.
var responseFieldsMapped = map[string]struct{}{
	"model": {}, "input": {}, "instructions": {}, "tools": {}, "tool_choice": {}, "parallel_tool_calls": {},
	"max_output_tokens": {}, "temperature": {}, "top_p": {}, "text": {}, "stream": {}, "stream_options": {},
	"metadata": {}, "user": {}, "safety_identifier": {}, "prompt_cache_key": {}, "prompt_cache_retention": {},
	"prompt_cache_options": {}, "moderation": {}, "service_tier": {},
}

// ToChatRequest translates r into the chat request a [Backend] answers.
// history is the conversation before this turn, oldest first (the handler
// resolves it from previous_response_id through its responses.Store). r must
// have passed Validate. Features a chat Backend cannot serve (built-in
// tools, prompt templates, conversations, background mode, images or files
// given only by a URL chat cannot carry) are answered with a 400 naming the
// Responses field.
func responsesToChat(r *responses.Request, history []responses.InputItem) (*ChatRequest, error) {
	for _, f := range []struct {
		name string
		v    json.RawMessage
	}{{"conversation", r.Conversation}, {"prompt", r.Prompt}, {"context_management", r.ContextManagement}} {
		if len(f.v) > 0 && !jsonx.IsNull(f.v) {
			return nil, unsupportedParam(f.name, "'%s' is not supported by this server.", f.name)
		}
	}
	if r.Background != nil && *r.Background {
		return nil, unsupportedParam("background", "Background mode is not supported by this server.")
	}
	c := &ChatRequest{
		Model: r.Model, Temperature: r.Temperature, TopP: r.TopP, Stream: r.Stream,
		MaxCompletionTokens: r.MaxOutputTokens,
		Metadata:            r.Metadata, User: r.User, SafetyIdentifier: r.SafetyIdentifier,
		PromptCacheKey: r.PromptCacheKey, PromptCacheRetention: r.PromptCacheRetention,
		PromptCacheOptions: r.PromptCacheOptions, Moderation: r.Moderation, Raw: r.Raw,
	}
	extra, err := translatedExtra(r.Raw, r.Extra, responseFieldsMapped)
	if err != nil {
		return nil, err
	}
	c.Extra = extra
	if r.ServiceTier != "" {
		if r.ServiceTier == "ultrafast" {
			c.Extra = withExtra(c.Extra, "service_tier", jsonx.AppendString(nil, r.ServiceTier))
		} else {
			c.ServiceTier = r.ServiceTier
		}
	}
	if r.Instructions != nil {
		c.Messages = append(c.Messages, Message{Role: RoleSystem, Content: TextContent(*r.Instructions)})
	}
	var t itemTranslator
	if err := t.add(history, "previous_response_id"); err != nil {
		return nil, err
	}
	if err := t.add(r.Input.Items(), "input"); err != nil {
		return nil, err
	}
	if f := findToolTurnFault(t.msgs); f != nil {
		return nil, toolTurnError(f, t.msgs)
	}
	c.Messages = append(c.Messages, t.msgs...)
	if len(c.Messages) == 0 {
		return nil, InvalidRequest("input", "Invalid 'input': empty array. Expected an array with minimum length 1, but got an empty array instead.")
	}
	if err := translateTools(r, c); err != nil {
		return nil, err
	}
	if len(c.Tools) > 0 {
		c.ParallelToolCalls = r.ParallelToolCalls
	}
	if r.Text != nil {
		c.Verbosity = r.Text.Verbosity
		if f := r.Text.Format; f != nil {
			c.ResponseFormat = &ResponseFormat{Type: f.Type}
			if f.Type == "json_schema" {
				c.ResponseFormat.JSONSchema = &JSONSchemaFormat{Name: f.Name, Description: f.Description, Schema: f.Schema, Strict: f.Strict}
			}
		}
	}
	if r.Reasoning != nil && r.Reasoning.Effort != nil {
		c.ReasoningEffort = *r.Reasoning.Effort
	}
	if contains(r.Include, "message.output_text.logprobs") || r.TopLogprobs != nil && *r.TopLogprobs > 0 {
		yes := true
		c.Logprobs, c.TopLogprobs = &yes, r.TopLogprobs
	}
	return c, nil
}

// translatedExtra collects the fields of a translated dialect's request
// that chat has no field for: those of its body raw not in mapped, and its
// decoded extra.
func translatedExtra(raw json.RawMessage, extra map[string]json.RawMessage, mapped map[string]struct{}) (map[string]json.RawMessage, error) {
	var out map[string]json.RawMessage
	if jsonx.FirstByte(raw) == '{' {
		var err error
		if out, err = extraFields(raw, mapped); err != nil {
			return nil, err
		}
	}
	for k, v := range extra {
		out = withExtra(out, k, v)
	}
	return out, nil
}

func withExtra(m map[string]json.RawMessage, k string, v json.RawMessage) map[string]json.RawMessage {
	if m == nil {
		m = map[string]json.RawMessage{}
	}
	m[k] = v
	return m
}

// unsupportedParam is the 400 for a valid request field this server cannot honour.
func unsupportedParam(param, format string, args ...any) *Error {
	e := InvalidRequest(param, format, args...)
	e.Code = "unsupported_parameter"
	return e
}

// itemTranslator turns input items into chat messages.
type itemTranslator struct {
	msgs      []Message
	reasoning strings.Builder // reasoning summaries waiting for the next assistant message
}

func (t *itemTranslator) add(items []responses.InputItem, param string) error {
	for i := range items {
		it := &items[i]
		p := param + "[" + strconv.Itoa(i) + "]"
		if it.IsReference() {
			// The handler resolves references before translating; one that
			// reaches here has nothing to translate to.
			return unsupportedParam(p, "Input items of type 'item_reference' cannot be translated: they name stored items.")
		}
		switch it.Type {
		case "", "message":
			m := Message{Role: it.Role}
			if it.Content.IsString() {
				m.Content = TextContent(it.Content.Text())
			} else {
				in := it.Content.Parts()
				parts := make([]ContentPart, 0, len(in))
				for j := range in {
					cp, err := chatPart(&in[j], p+".content["+strconv.Itoa(j)+"]")
					if err != nil {
						return err
					}
					parts = append(parts, cp)
				}
				m.Content = PartsContent(parts...)
			}
			if m.Role == RoleAssistant {
				t.takeReasoning(&m)
			}
			t.msgs = append(t.msgs, m)
		case "function_call":
			call := ToolCall{ID: it.CallID, Type: "function", Function: &FunctionCall{Name: it.Name, Arguments: it.Arguments}}
			if n := len(t.msgs); n > 0 && t.msgs[n-1].Role == RoleAssistant && t.reasoning.Len() == 0 {
				t.msgs[n-1].ToolCalls = append(t.msgs[n-1].ToolCalls, call)
				continue
			}
			m := Message{Role: RoleAssistant, ToolCalls: []ToolCall{call}}
			t.takeReasoning(&m)
			t.msgs = append(t.msgs, m)
		case "function_call_output":
			text := it.Output.Text()
			if !it.Output.IsString() {
				var sb strings.Builder
				for j, part := range it.Output.Parts() {
					if part.Type != "input_text" {
						return unsupportedParam(p+".output["+strconv.Itoa(j)+"].type",
							"Function call outputs of type '%s' are not supported by this server: only text reaches a chat backend.", part.Type)
					}
					sb.WriteString(part.Text)
				}
				text = sb.String()
			}
			t.msgs = append(t.msgs, Message{Role: RoleTool, ToolCallID: it.CallID, Content: TextContent(text)})
		case "reasoning":
			for _, raw := range it.Summary {
				var s struct {
					Text string `json:"text"`
				}
				if gojson.Unmarshal(raw, &s) == nil && s.Text != "" {
					if t.reasoning.Len() > 0 {
						t.reasoning.WriteString("\n\n")
					}
					t.reasoning.WriteString(s.Text)
				}
			}
		default:
			return unsupportedParam(p+".type",
				"Input items of type '%s' are not supported by this server: it answers the Responses API through a chat completions backend.", it.Type)
		}
	}
	return nil
}

// toolTurnError words a tool-turn fault of the translated items as the
// Responses API does (its param is "input"). An output that does answer an
// earlier call, only not directly, is valid here but has no chat form.
func toolTurnError(f *toolTurnFault, msgs []Message) *Error {
	if f.open != nil {
		return InvalidRequest("input", "No tool output found for function call %s.", f.open[0])
	}
	for _, m := range msgs[:f.index] {
		if slices.ContainsFunc(m.ToolCalls, func(c ToolCall) bool { return c.ID == f.id }) {
			return unsupportedParam("input", "The output of function call %s must follow its call, with only other outputs between: this server answers through a chat completions backend, which needs each tool result right after its call.", f.id)
		}
	}
	return InvalidRequest("input", "No tool call found for function call output with call_id %s.", f.id)
}

func (t *itemTranslator) takeReasoning(m *Message) {
	if t.reasoning.Len() > 0 {
		s := t.reasoning.String()
		m.Reasoning = &s
		t.reasoning.Reset()
	}
}

// chatPart converts one content part of an input message.
func chatPart(p *responses.Part, param string) (ContentPart, error) {
	switch p.Type {
	case "input_text", "output_text":
		return ContentPart{Type: "text", Text: p.Text}, nil
	case "refusal":
		return ContentPart{Type: "refusal", Refusal: p.Refusal}, nil
	case "input_image":
		if p.ImageURL == "" {
			return ContentPart{}, unsupportedParam(param+".file_id", "Images given by 'file_id' are not supported by this server; give 'image_url' (a URL or a data: URI).")
		}
		detail := p.Detail
		if detail == "original" {
			detail = "high"
		}
		return ContentPart{Type: "image_url", ImageURL: &ImageURL{URL: p.ImageURL, Detail: detail}}, nil
	case "input_file":
		if p.FileID == "" && p.FileData == "" {
			return ContentPart{}, unsupportedParam(param+".file_url", "Files given by 'file_url' are not supported by this server; give 'file_data' or 'file_id'.")
		}
		return ContentPart{Type: "file", File: &FileInput{Filename: p.Filename, FileData: p.FileData, FileID: p.FileID}}, nil
	}
	return ContentPart{}, enumError(param+".type", p.Type, "input_text", "input_image", "input_file", "output_text", "refusal")
}

// translateTools maps flat Responses tools and tool_choice onto chat's.
func translateTools(r *responses.Request, c *ChatRequest) error {
	for i := range r.Tools {
		t := &r.Tools[i]
		switch t.Type {
		case "function":
			params := t.Parameters
			if jsonx.IsNull(params) {
				params = nil
			}
			c.Tools = append(c.Tools, Tool{Type: "function", Function: &FunctionDefinition{
				Name: t.Name, Description: t.Description, Parameters: params, Strict: t.Strict}})
		case "custom":
			c.Tools = append(c.Tools, Tool{Type: "custom", Custom: &CustomTool{Name: t.Name, Description: t.Description, Format: t.Format}})
		default:
			return unsupportedParam("tools["+strconv.Itoa(i)+"].type",
				"Tools of type '%s' are not supported by this server; only 'function' and 'custom' tools are.", t.Type)
		}
	}
	tc := r.ToolChoice
	if tc == nil {
		return nil
	}
	switch tc.Type {
	case "":
		if tc.Mode == ToolChoiceNone || len(c.Tools) > 0 {
			c.ToolChoice = &ToolChoice{Mode: tc.Mode}
		}
	case "function", "custom":
		c.ToolChoice = &ToolChoice{Type: tc.Type, Name: tc.Name}
	case "allowed_tools":
		tools := make([]json.RawMessage, len(tc.Tools))
		for i, raw := range tc.Tools {
			var ref struct {
				Type string `json:"type"`
				Name string `json:"name"`
			}
			if err := gojson.Unmarshal(raw, &ref); err != nil || ref.Type != "function" && ref.Type != "custom" || ref.Name == "" {
				return unsupportedParam("tool_choice.tools["+strconv.Itoa(i)+"]", "Allowed tools must be function or custom tools given by name.")
			}
			b := append([]byte(`{"type":`), jsonx.AppendString(nil, ref.Type)...)
			b = append(b, `,"`...)
			b = append(b, ref.Type...)
			b = append(b, `":{"name":`...)
			b = jsonx.AppendString(b, ref.Name)
			tools[i] = append(b, "}}"...)
		}
		c.ToolChoice = &ToolChoice{Type: "allowed_tools", AllowedTools: &AllowedTools{Mode: tc.AllowedMode, Tools: tools}}
	default:
		return unsupportedParam("tool_choice.type", "Tool choice '%s' is not supported by this server; only function and custom tools are.", tc.Type)
	}
	return nil
}
