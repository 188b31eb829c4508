package oaicompat

import (
	"strconv"
	"strings"

	gojson "github.com/goccy/go-json"

	"github.com/oaicompat/oaicompat/anthropic"
	"github.com/oaicompat/oaicompat/internal/jsonx"
)

// validateMessagesRequest checks a Messages request as the API does, in its
// words: the field path, a colon, what is wrong ("max_tokens: Field
// required", "temperature: Input should be less than or equal to 1").
// create is false for count_tokens, which takes no max_tokens. Block and
// tool types it does not know are accepted: they reach the backend.
func validateMessagesRequest(r *anthropic.Request, create bool) error {
	if r.Model == "" {
		return fieldRequired("model")
	}
	if create {
		if r.MaxTokens == nil {
			return fieldRequired("max_tokens")
		}
		if *r.MaxTokens < 0 {
			return fieldError("max_tokens", "Input should be greater than or equal to 0")
		}
	}
	if r.Messages == nil {
		return fieldRequired("messages")
	}
	if len(r.Messages) == 0 {
		return fieldError("messages", "List should have at least 1 item after validation, not 0")
	}
	for i := range r.Messages {
		if err := validateTurn(&r.Messages[i], "messages."+strconv.Itoa(i)); err != nil {
			return err
		}
	}
	if err := validateToolPairs(r.Messages); err != nil {
		return err
	}
	if s := r.System; s != nil && !s.IsString() && !s.IsNull() {
		for i, b := range s.Blocks() {
			if b.Type != anthropic.BlockText {
				return fieldError("system."+strconv.Itoa(i)+".type", "Input should be 'text'")
			}
		}
	}
	for _, f := range []struct {
		name string
		v    *float64
	}{{"temperature", r.Temperature}, {"top_p", r.TopP}} {
		if f.v != nil && *f.v < 0 {
			return fieldError(f.name, "Input should be greater than or equal to 0")
		}
		if f.v != nil && *f.v > 1 {
			return fieldError(f.name, "Input should be less than or equal to 1")
		}
	}
	if r.TopK != nil && *r.TopK < 0 {
		return fieldError("top_k", "Input should be greater than or equal to 0")
	}
	budget := newSchemaBudget()
	names, err := validateMessagesTools(r.Tools, budget)
	if err != nil {
		return err
	}
	if tc := r.ToolChoice; tc != nil {
		switch tc.Type {
		case "":
			return fieldRequired("tool_choice.type")
		case anthropic.ToolChoiceAuto, anthropic.ToolChoiceAny, anthropic.ToolChoiceNone:
		case anthropic.ToolChoiceTool:
			if tc.Name == "" {
				return fieldRequired("tool_choice.name")
			}
			if !names[tc.Name] {
				return fieldError("tool_choice.name", "Tool '%s' not found in tools", tc.Name)
			}
		default:
			return fieldError("tool_choice.type", "Input should be 'auto', 'any', 'tool' or 'none'")
		}
		if tc.Type != anthropic.ToolChoiceNone && len(r.Tools) == 0 {
			return fieldError("tool_choice", "tool_choice may only be specified while providing tools")
		}
	}
	if th := r.Thinking; th != nil {
		switch th.Type {
		case "":
			return fieldRequired("thinking.type")
		case anthropic.ThinkingEnabled:
			if th.BudgetTokens == nil {
				return fieldRequired("thinking.budget_tokens")
			}
			if *th.BudgetTokens < 1024 {
				return fieldError("thinking.budget_tokens", "Input should be greater than or equal to 1024")
			}
			if create && *th.BudgetTokens >= *r.MaxTokens {
				return fieldError("max_tokens", "must be greater than thinking.budget_tokens")
			}
		}
	}
	if oc := r.OutputConfig; oc != nil {
		if oc.Effort != "" && !contains([]string{"low", "medium", "high", "xhigh", "max"}, oc.Effort) {
			return fieldError("output_config.effort", "Input should be 'low', 'medium', 'high', 'xhigh' or 'max'")
		}
		if f := oc.Format; f != nil {
			if f.Type != "json_schema" {
				return fieldError("output_config.format.type", "Input should be 'json_schema'")
			}
			if jsonx.FirstByte(f.Schema) != '{' {
				return fieldRequired("output_config.format.schema")
			}
			if issue := requestSchemaIssue(f.Schema, nil, budget); issue != nil {
				return fieldError("output_config.format.schema", "%s", issue)
			}
		}
	}
	return nil
}

// validateTurn checks one entry of messages.
func validateTurn(m *anthropic.MessageParam, p string) error {
	switch m.Role {
	case "":
		return fieldRequired(p + ".role")
	case anthropic.RoleUser, anthropic.RoleAssistant, anthropic.RoleSystem:
	default:
		return fieldError(p+".role", "Input should be 'user', 'assistant' or 'system'")
	}
	if m.Content.IsNull() {
		return fieldRequired(p + ".content")
	}
	if m.Content.IsString() {
		return nil
	}
	return validateBlocks(m.Content.Blocks(), p+".content")
}

// validateToolPairs checks, as the API does, that the tool_use ids of an
// assistant turn are unique, that the turn after it is a user turn with a
// tool_result for each, and that every tool_result answers a tool_use of
// the turn before it. Consecutive messages of one role are one turn, as
// the API merges them. The translation onto chat relies on it: a tool
// message there must answer a call of the assistant message before it.
func validateToolPairs(msgs []anthropic.MessageParam) error {
	var callBuf, answerBuf [8]string
	calls := idList{ids: callBuf[:0]}      // the tool_use ids of the last assistant turn
	answered := idList{ids: answerBuf[:0]} // those the turn after it answered
	at := -1                               // the message holding the first of them
	for i := 0; i < len(msgs); {
		role := msgs[i].Role
		end := i + 1
		for end < len(msgs) && msgs[end].Role == role {
			end++
		}
		answered = answered.reset()
		for k := i; k < end; k++ {
			for j, b := range blocksOf(&msgs[k]) {
				switch {
				case role == anthropic.RoleAssistant && b.Type == anthropic.BlockToolUse:
					if calls.find(b.ID) >= 0 {
						return fieldError(blockPath(k, j), "`tool_use` ids must be unique")
					}
					if at < 0 {
						at = k
					}
					calls = calls.add(b.ID)
				case role == anthropic.RoleUser && b.Type == anthropic.BlockToolResult:
					if calls.find(b.ToolUseID) < 0 {
						return fieldError(blockPath(k, j), "unexpected `tool_use_id` found in `tool_result` blocks: %s. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.", b.ToolUseID)
					}
					answered = answered.add(b.ToolUseID)
				}
			}
		}
		if role != anthropic.RoleAssistant {
			if err := unansweredToolUse(calls, answered, at); err != nil {
				return err
			}
			calls, at = calls.reset(), -1
		}
		i = end
	}
	answered = answered.reset()
	return unansweredToolUse(calls, answered, at)
}

// unansweredToolUse is the API's error for the tool_use ids among calls
// (of the message at index at) that answered lacks, or nil.
func unansweredToolUse(calls, answered idList, at int) error {
	var open []string
	for _, id := range calls.ids {
		if answered.find(id) < 0 {
			open = append(open, id)
		}
	}
	if len(open) == 0 {
		return nil
	}
	return fieldError("messages."+strconv.Itoa(at), "`tool_use` ids were found without `tool_result` blocks immediately after: %s. Each `tool_use` block must have a corresponding `tool_result` block in the next message.", strings.Join(open, ", "))
}

// blockPath is the path of block j of message k.
func blockPath(k, j int) string {
	return "messages." + strconv.Itoa(k) + ".content." + strconv.Itoa(j)
}

// blocksOf returns a message's blocks; a string content has none.
func blocksOf(m *anthropic.MessageParam) []anthropic.ContentBlock {
	if m.Content.IsString() || m.Content.IsNull() {
		return nil
	}
	return m.Content.Blocks()
}

// validateBlocks checks the blocks of a content list at path p.
func validateBlocks(blocks []anthropic.ContentBlock, p string) error {
	for j := range blocks {
		b := &blocks[j]
		bp := p + "." + strconv.Itoa(j)
		switch b.Type {
		case "":
			return fieldRequired(bp + ".type")
		case anthropic.BlockText:
			if b.Text == "" {
				return fieldError(bp+".text", "text content blocks must be non-empty")
			}
		case anthropic.BlockImage:
			if err := validateImageSource(b.Source, bp+".source"); err != nil {
				return err
			}
		case anthropic.BlockDocument:
			if b.Source == nil {
				return fieldRequired(bp + ".source")
			}
		case anthropic.BlockToolUse:
			if b.ID == "" {
				return fieldRequired(bp + ".id")
			}
			if b.Name == "" {
				return fieldRequired(bp + ".name")
			}
			if len(b.Input) > 0 && jsonx.FirstByte(b.Input) != '{' {
				return fieldError(bp+".input", "Input should be a valid dictionary")
			}
		case anthropic.BlockToolResult:
			if b.ToolUseID == "" {
				return fieldRequired(bp + ".tool_use_id")
			}
			if c := b.Content; c != nil && !c.IsString() && !c.IsNull() {
				if err := validateBlocks(c.Blocks(), bp+".content"); err != nil {
					return err
				}
			}
		case anthropic.BlockThinking:
			if b.Signature == "" {
				return fieldRequired(bp + ".signature")
			}
		case anthropic.BlockRedactedThinking:
			if b.Data == "" {
				return fieldRequired(bp + ".data")
			}
		}
	}
	return nil
}

var imageMediaTypes = []string{"image/jpeg", "image/png", "image/gif", "image/webp"}

// validateImageSource checks an image block's source at path p.
func validateImageSource(s *anthropic.Source, p string) error {
	if s == nil {
		return fieldRequired(p)
	}
	switch s.Type {
	case "base64":
		if !contains(imageMediaTypes, s.MediaType) {
			return fieldError(p+".media_type", "Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'")
		}
		if s.Data == "" {
			return fieldRequired(p + ".data")
		}
	case "url":
		if s.URL == "" {
			return fieldRequired(p + ".url")
		}
	case "file":
		if s.FileID == "" {
			return fieldRequired(p + ".file_id")
		}
	case "":
		return fieldRequired(p + ".type")
	default:
		return fieldError(p+".type", "Input should be 'base64', 'url' or 'file'")
	}
	return nil
}

// validateMessagesTools checks the tools and returns their names.
func validateMessagesTools(tools []anthropic.Tool, budget *schemaBudget) (map[string]bool, error) {
	names := make(map[string]bool, len(tools))
	for i := range tools {
		t := &tools[i]
		p := "tools." + strconv.Itoa(i)
		if t.Name == "" {
			return nil, fieldRequired(p + ".name")
		}
		if !validToolName(t.Name) {
			return nil, fieldError(p+".name", "String should match pattern '^[a-zA-Z0-9_-]{1,128}$'")
		}
		if names[t.Name] {
			return nil, fieldError("tools", "Tool names must be unique.")
		}
		names[t.Name] = true
		if !t.IsCustom() {
			continue
		}
		if len(t.InputSchema) == 0 || jsonx.IsNull(t.InputSchema) {
			return nil, fieldRequired(p + ".input_schema")
		}
		var head struct {
			Type string `json:"type"`
		}
		if jsonx.FirstByte(t.InputSchema) != '{' || gojson.Unmarshal(t.InputSchema, &head) != nil {
			return nil, fieldError(p+".input_schema", "Input should be a valid dictionary")
		}
		if head.Type != "object" {
			return nil, fieldError(p+".input_schema.type", "Input should be 'object'")
		}
		if issue := requestSchemaIssue(t.InputSchema, t.Strict, budget); issue != nil {
			return nil, fieldError(p+".input_schema", "%s", issue)
		}
	}
	return names, nil
}

func validToolName(name string) bool {
	if len(name) > 128 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
