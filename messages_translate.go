package oaicompat

import (
	"encoding/json"
	"strconv"
	"strings"

	gojson "github.com/goccy/go-json"

	"github.com/oaicompat/oaicompat/anthropic"
)

// This file translates a Messages request into the ChatRequest a chat
// Backend answers:
//
//	system (string or text blocks)  -> a leading system message
//	turns                           -> messages; consecutive turns of one
//	                                   role are merged first, as the API does
//	role "system" inside messages   -> a system message in its place
//	text blocks                     -> text parts (cache_control, citations
//	                                   in the part's Extra)
//	image blocks                    -> image_url parts: base64 as a data: URI,
//	                                   url as is
//	tool_use blocks                 -> tool_calls of the assistant message
//	tool_result blocks              -> tool messages, placed before the rest
//	                                   of their turn; string or blocks as
//	                                   content, is_error in Message.Extra
//	thinking blocks                 -> the assistant message's Reasoning
//	                                   (texts joined by a blank line) and
//	                                   ReasoningSignature (the last block's)
//	mid_conv_system blocks          -> a system message in their place
//	other blocks (documents, search -> parts of that Type carrying every
//	  results, redacted_thinking,      member but "type" in Extra
//	  server tool blocks, ...)
//	tools (custom)                  -> function tools (input_schema as
//	                                   parameters, strict kept)
//	tool_choice auto|any|tool|none  -> "auto" | "required" | the function | "none"
//	disable_parallel_tool_use       -> parallel_tool_calls: false
//	stop_sequences                  -> stop (any number of them)
//	max_tokens, temperature, top_p  -> the same fields
//	metadata.user_id                -> user
//	thinking                        -> reasoning_effort: "none" when
//	                                   disabled; by budget when enabled
//	                                   (under 4096 "low", under 16384
//	                                   "medium", else "high"); output_config.
//	                                   effort wins when given
//	output_config.format            -> response_format json_schema "output"
//
// Every request field chat has no field for (top_k, thinking,
// output_config, service_tier, container, cache_control, any unknown
// field) rides along in ChatRequest.Extra under its Messages name, as raw
// JSON; Raw is the Messages body as received, for backends that want every
// byte (a thinking block's exact bytes, several signatures). A last
// assistant turn stays the last message: a prefill the backend continues.
// Server tools (web_search_20250305, ...) cannot run on a chat backend and
// are answered with a 400; a MessageCreator receives them.

// messagesFieldsMapped are the request fields the translation maps onto
// chat fields; all others go to ChatRequest.Extra.
var messagesFieldsMapped = map[string]struct{}{
	"model": {}, "max_tokens": {}, "messages": {}, "system": {}, "stop_sequences": {}, "stream": {},
	"temperature": {}, "top_p": {}, "tools": {}, "tool_choice": {}, "metadata": {},
}

// messagesToChat translates a validated Messages request.
func messagesToChat(r *anthropic.Request) (*ChatRequest, error) {
	c := &ChatRequest{Model: r.Model, MaxTokens: r.MaxTokens, Stream: r.Stream, Temperature: r.Temperature,
		TopP: r.TopP, Stop: Stop(r.StopSequences), Raw: r.Raw}
	extra, err := translatedExtra(r.Raw, r.Extra, messagesFieldsMapped)
	if err != nil {
		return nil, err
	}
	c.Extra = extra
	if r.Metadata != nil {
		c.User = r.Metadata.UserID
	}
	c.ReasoningEffort = messagesEffort(r)
	if oc := r.OutputConfig; oc != nil && oc.Format != nil {
		c.ResponseFormat = &ResponseFormat{Type: "json_schema", JSONSchema: &JSONSchemaFormat{Name: "output", Schema: oc.Format.Schema}}
	}
	var t turnTranslator
	if s := r.System; s != nil && !s.IsNull() {
		t.msgs = append(t.msgs, Message{Role: RoleSystem, Content: t.content(*s)})
	}
	for _, turn := range mergeTurns(r.Messages) {
		t.turn(turn)
	}
	c.Messages = t.msgs
	for i := range r.Tools {
		tool := &r.Tools[i]
		if !tool.IsCustom() {
			return nil, unsupportedParam("tools."+strconv.Itoa(i)+".type",
				"tools.%d.type: server tool '%s' is not supported by this server: it answers through a chat backend", i, tool.Type)
		}
		c.Tools = append(c.Tools, Tool{Type: "function", Function: &FunctionDefinition{
			Name: tool.Name, Description: tool.Description, Parameters: tool.InputSchema, Strict: tool.Strict}})
	}
	if tc := r.ToolChoice; tc != nil {
		switch tc.Type {
		case anthropic.ToolChoiceAuto:
			c.ToolChoice = &ToolChoice{Mode: ToolChoiceAuto}
		case anthropic.ToolChoiceAny:
			c.ToolChoice = &ToolChoice{Mode: ToolChoiceRequired}
		case anthropic.ToolChoiceTool:
			c.ToolChoice = &ToolChoice{Type: "function", Name: tc.Name}
		case anthropic.ToolChoiceNone:
			c.ToolChoice = &ToolChoice{Mode: ToolChoiceNone}
		}
		if isTrue(tc.DisableParallelToolUse) {
			no := false
			c.ParallelToolCalls = &no
		}
	}
	return c, nil
}

// messagesEffort is the reasoning_effort of a Messages request.
func messagesEffort(r *anthropic.Request) string {
	if oc := r.OutputConfig; oc != nil && oc.Effort != "" {
		return oc.Effort
	}
	th := r.Thinking
	switch {
	case th == nil:
		return ""
	case th.Type == anthropic.ThinkingDisabled:
		return "none"
	case th.Type != anthropic.ThinkingEnabled || th.BudgetTokens == nil:
		return ""
	case *th.BudgetTokens < 4096:
		return "low"
	case *th.BudgetTokens < 16384:
		return "medium"
	}
	return "high"
}

// mergeTurns merges consecutive turns of the same role into one, as the
// API does; a turn alone keeps its content as it came.
func mergeTurns(turns []anthropic.MessageParam) []anthropic.MessageParam {
	out := make([]anthropic.MessageParam, 0, len(turns))
	for i := 0; i < len(turns); {
		end := i + 1
		for end < len(turns) && turns[end].Role == turns[i].Role {
			end++
		}
		merged := turns[i]
		if end > i+1 { // a run's blocks are copied once (merging pairwise copied them again per turn)
			n := 0
			for k := i; k < end; k++ {
				n += len(turns[k].Content.Blocks())
			}
			blocks := make([]anthropic.ContentBlock, 0, n)
			for k := i; k < end; k++ {
				blocks = append(blocks, turns[k].Content.Blocks()...)
			}
			merged.Content = anthropic.BlocksContent(blocks...)
		}
		out = append(out, merged)
		i = end
	}
	return out
}

// turnTranslator turns Messages turns into chat messages.
type turnTranslator struct {
	msgs []Message
}

// turn translates one (merged) turn.
func (t *turnTranslator) turn(m anthropic.MessageParam) {
	switch m.Role {
	case anthropic.RoleSystem:
		t.msgs = append(t.msgs, Message{Role: RoleSystem, Content: t.content(m.Content)})
	case anthropic.RoleAssistant:
		t.msgs = append(t.msgs, assistantMessage(m.Content))
	default:
		if m.Content.IsString() {
			t.msgs = append(t.msgs, Message{Role: RoleUser, Content: TextContent(m.Content.String())})
			return
		}
		start := len(t.msgs)
		var parts []ContentPart
		flush := func() {
			if len(parts) > 0 {
				t.msgs = append(t.msgs, Message{Role: RoleUser, Content: PartsContent(parts...)})
				parts = nil
			}
		}
		var results []Message // tool results go before the rest of the turn
		for _, b := range m.Content.Blocks() {
			switch b.Type {
			case anthropic.BlockToolResult:
				results = append(results, toolResultMessage(&b))
			case "mid_conv_system":
				flush()
				t.msgs = append(t.msgs, Message{Role: RoleSystem, Content: t.content(*nestedContent(&b))})
			default:
				parts = append(parts, chatPartOf(&b))
			}
		}
		flush()
		if len(results) > 0 {
			// The results answer the calls just before the turn, ahead of
			// the rest of the turn.
			t.msgs = append(t.msgs[:start], append(results, t.msgs[start:]...)...)
		}
	}
}

// content translates the content of a system prompt or system turn.
func (t *turnTranslator) content(c anthropic.Content) MessageContent {
	if c.IsString() {
		return TextContent(c.String())
	}
	blocks := c.Blocks()
	parts := make([]ContentPart, len(blocks))
	for i := range blocks {
		parts[i] = chatPartOf(&blocks[i])
	}
	return PartsContent(parts...)
}

// nestedContent returns a block's content (tool_result, mid_conv_system),
// empty when it has none.
func nestedContent(b *anthropic.ContentBlock) *anthropic.Content {
	if b.Content == nil && len(b.Raw) > 0 {
		var f struct {
			Content *anthropic.Content `json:"content"`
		}
		if gojson.Unmarshal(b.Raw, &f) == nil {
			b.Content = f.Content
		}
	}
	if b.Content == nil || b.Content.IsNull() {
		c := anthropic.TextContent("")
		return &c
	}
	return b.Content
}

// assistantMessage translates an assistant turn.
func assistantMessage(c anthropic.Content) Message {
	m := Message{Role: RoleAssistant}
	if c.IsString() {
		m.Content = TextContent(c.String())
		return m
	}
	var parts []ContentPart
	var reasoning strings.Builder
	for _, b := range c.Blocks() {
		switch b.Type {
		case anthropic.BlockToolUse:
			args := "{}"
			if len(b.Input) > 0 {
				args = string(b.Input)
			}
			m.ToolCalls = append(m.ToolCalls, ToolCall{ID: b.ID, Type: "function", Function: &FunctionCall{Name: b.Name, Arguments: args}})
		case anthropic.BlockThinking:
			if reasoning.Len() > 0 {
				reasoning.WriteString("\n\n")
			}
			reasoning.WriteString(b.Thinking)
			m.ReasoningSignature = b.Signature
		default:
			parts = append(parts, chatPartOf(&b))
		}
	}
	if reasoning.Len() > 0 || m.ReasoningSignature != "" {
		s := reasoning.String()
		m.Reasoning = &s
	}
	if len(parts) > 0 || len(m.ToolCalls) == 0 && m.Reasoning == nil {
		m.Content = PartsContent(parts...)
	}
	return m
}

// toolResultMessage translates a tool_result block into a tool message.
func toolResultMessage(b *anthropic.ContentBlock) Message {
	m := Message{Role: RoleTool, ToolCallID: b.ToolUseID, Extra: blockExtra(b, "tool_use_id", "content")}
	c := nestedContent(b)
	if c.IsString() {
		m.Content = TextContent(c.String())
		return m
	}
	blocks := c.Blocks()
	parts := make([]ContentPart, len(blocks))
	for i := range blocks {
		parts[i] = chatPartOf(&blocks[i])
	}
	m.Content = PartsContent(parts...)
	return m
}

// chatPartOf translates a block of a user or system turn into a part.
func chatPartOf(b *anthropic.ContentBlock) ContentPart {
	switch b.Type {
	case anthropic.BlockText:
		return ContentPart{Type: "text", Text: b.Text, Extra: blockExtra(b, "text")}
	case anthropic.BlockImage:
		if s := b.Source; s != nil {
			switch s.Type {
			case "base64":
				return ContentPart{Type: "image_url", ImageURL: &ImageURL{URL: "data:" + s.MediaType + ";base64," + s.Data}, Extra: blockExtra(b, "source")}
			case "url":
				return ContentPart{Type: "image_url", ImageURL: &ImageURL{URL: s.URL}, Extra: blockExtra(b, "source")}
			}
		}
	}
	return ContentPart{Type: b.Type, Extra: blockExtra(b)}
}

// blockExtra returns the members of a block other than "type" and those
// named, or nil when there are none.
func blockExtra(b *anthropic.ContentBlock, consumed ...string) map[string]json.RawMessage {
	raw := b.Raw
	if len(raw) == 0 {
		var err error
		if raw, err = gojson.Marshal(b); err != nil {
			return nil
		}
	}
	known := make(map[string]struct{}, len(consumed)+1)
	known["type"] = struct{}{}
	for _, k := range consumed {
		known[k] = struct{}{}
	}
	extra, err := extraFields(raw, known)
	if err != nil {
		return nil
	}
	return extra
}
