package oaicompat

import (
	"strconv"

	"github.com/oaicompat/oaicompat/internal/jsonx"
	"github.com/oaicompat/oaicompat/responses"
)

// validate checks a Responses request as the handler does, with param paths
// in the Responses field names (input[2].content[0].type, text.format.name,
// ...). It checks what every server must; whether a chat [Backend] can serve
// the request (built-in tools, prompt templates) is checked by
// ToChatRequest.
func validateResponses(r *responses.Request) error {
	if r.Model == "" {
		return missing("model")
	}
	if r.Input.IsNull() && r.PreviousResponseID == "" {
		return missing("input")
	}
	items := r.Input.Items()
	for i := range items {
		if err := validateInputItem(&items[i], "input["+strconv.Itoa(i)+"]"); err != nil {
			return err
		}
	}
	if err := checkRange("temperature", r.Temperature, 0, 2); err != nil {
		return err
	}
	if err := checkRange("top_p", r.TopP, 0, 1); err != nil {
		return err
	}
	if err := checkIntRange("max_output_tokens", r.MaxOutputTokens, 16, 1<<31-1); err != nil {
		return err
	}
	if err := checkIntRange("max_tool_calls", r.MaxToolCalls, 1, 1<<31-1); err != nil {
		return err
	}
	if err := checkIntRange("top_logprobs", r.TopLogprobs, 0, 20); err != nil {
		return err
	}
	if err := validateMetadata(r.Metadata); err != nil {
		return err
	}
	names := make(map[string]string, len(r.Tools))
	budget := newSchemaBudget()
	for i := range r.Tools {
		t := &r.Tools[i]
		p := "tools[" + strconv.Itoa(i) + "]"
		switch t.Type {
		case "function", "custom":
			if err := checkName(p, ".name", t.Name); err != nil {
				return err
			}
			if t.Type == "function" && len(t.Parameters) > 0 && jsonx.FirstByte(t.Parameters) != '{' && !jsonx.IsNull(t.Parameters) {
				return InvalidRequest(p+".parameters", "Invalid type for '%s.parameters': expected an object.", p)
			}
			if issue := requestSchemaIssue(t.Parameters, t.Strict, budget); t.Type == "function" && issue != nil {
				return functionSchemaError(p+".parameters", t.Name, issue)
			}
			names[t.Name] = t.Type
		case "":
			return missing(p + ".type")
		}
	}
	if err := validateResponseToolChoice(r.ToolChoice, len(r.Tools) > 0, names); err != nil {
		return err
	}
	if r.Text != nil && r.Text.Format != nil {
		f := r.Text.Format
		switch f.Type {
		case "text", "json_object":
		case "json_schema":
			if err := checkName("text.format.name", "", f.Name); err != nil {
				return err
			}
			if len(f.Schema) == 0 || jsonx.IsNull(f.Schema) {
				return missing("text.format.schema")
			}
			if jsonx.FirstByte(f.Schema) != '{' {
				return InvalidRequest("text.format.schema", "Invalid type for 'text.format.schema': expected an object.")
			}
			if issue := requestSchemaIssue(f.Schema, f.Strict, budget); issue != nil {
				return formatSchemaError("text.format", f.Name, issue)
			}
		case "":
			return missing("text.format.type")
		default:
			return enumError("text.format.type", f.Type, "text", "json_object", "json_schema")
		}
	}
	if r.Text != nil && r.Text.Verbosity != "" {
		if err := checkEnum("text.verbosity", r.Text.Verbosity, "low", "medium", "high"); err != nil {
			return err
		}
	}
	if r.Reasoning != nil && r.Reasoning.Effort != nil {
		if err := checkEnum("reasoning.effort", *r.Reasoning.Effort, "none", "minimal", "low", "medium", "high", "xhigh", "max"); err != nil {
			return err
		}
	}
	if r.Truncation != "" {
		if err := checkEnum("truncation", r.Truncation, "auto", "disabled"); err != nil {
			return err
		}
	}
	if r.ServiceTier != "" {
		if err := checkEnum("service_tier", r.ServiceTier, "auto", "default", "flex", "scale", "priority", "fast", "ultrafast"); err != nil {
			return err
		}
	}
	for i, inc := range r.Include {
		if err := checkEnum("include["+strconv.Itoa(i)+"]", inc, includeValues...); err != nil {
			return err
		}
	}
	if r.StreamOptions != nil && !r.Stream {
		return InvalidRequest("stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled.")
	}
	if r.Background != nil && *r.Background && !r.Stores() {
		return InvalidRequest("background", "Invalid value for 'background': background mode requires 'store' to be true.")
	}
	return nil
}

var includeValues = []string{"file_search_call.results", "web_search_call.results", "web_search_call.action.sources",
	"message.input_image.image_url", "computer_call_output.output.image_url", "code_interpreter_call.outputs",
	"reasoning.encrypted_content", "message.output_text.logprobs"}

// validateInputItem checks the shape of one input item.
func validateInputItem(it *responses.InputItem, p string) error {
	if it.IsReference() {
		if it.ID == "" {
			return missing(p + ".id")
		}
		return nil
	}
	switch it.Type {
	case "", "message":
		var allowed []string
		switch it.Role {
		case RoleUser:
			allowed = []string{"input_text", "input_image", "input_file"}
		case RoleSystem, RoleDeveloper:
			allowed = []string{"input_text"}
		case RoleAssistant:
			// Replays of earlier output carry output_text and refusal parts;
			// input_text is accepted too (EasyInputMessage).
			allowed = []string{"output_text", "refusal", "input_text"}
		case "":
			return missing(p + ".role")
		default:
			return enumError(p+".role", it.Role, "user", "assistant", "system", "developer")
		}
		if it.Content.IsNull() {
			return missing(p + ".content")
		}
		if it.Content.IsString() {
			return nil
		}
		if len(it.Content.Parts()) == 0 {
			return InvalidRequest(p+".content", "Invalid '%s.content': empty array. Expected an array with minimum length 1, but got an empty array instead.", p)
		}
		return validateItemParts(it.Content.Parts(), p+".content", allowed)
	case "function_call":
		if err := checkCallID(p, it.CallID); err != nil {
			return err
		}
		if it.Name == "" {
			return missing(p + ".name")
		}
		return nil
	case "function_call_output":
		if err := checkCallID(p, it.CallID); err != nil {
			return err
		}
		if it.Output.IsNull() {
			return missing(p + ".output")
		}
		if it.Output.IsString() {
			return nil
		}
		return validateItemParts(it.Output.Parts(), p+".output", []string{"input_text", "input_image", "input_file"})
	}
	return nil
}

func checkCallID(p, id string) error {
	if id == "" {
		return missing(p + ".call_id")
	}
	if len(id) > 64 {
		return InvalidRequest(p+".call_id", "Invalid '%s.call_id': string too long. Expected a string with maximum length 64, but got a string with length %d instead.", p, len(id))
	}
	return nil
}

func validateItemParts(parts []responses.Part, p string, allowed []string) error {
	for j := range parts {
		pp := p + "[" + strconv.Itoa(j) + "]"
		part := &parts[j]
		if part.Type == "" {
			return missing(pp + ".type")
		}
		if !contains(allowed, part.Type) {
			return enumError(pp+".type", part.Type, allowed...)
		}
		switch part.Type {
		case "input_image":
			if part.ImageURL == "" && part.FileID == "" {
				return InvalidRequest(pp, "Invalid '%s': one of 'image_url' or 'file_id' must be given.", pp)
			}
			if part.Detail != "" {
				if err := checkEnum(pp+".detail", part.Detail, "low", "high", "auto", "original"); err != nil {
					return err
				}
			}
		case "input_file":
			if part.FileID == "" && part.FileData == "" && part.FileURL == "" {
				return InvalidRequest(pp, "Invalid '%s': one of 'file_id', 'file_data' or 'file_url' must be given.", pp)
			}
		}
	}
	return nil
}

func validateResponseToolChoice(tc *responses.ToolChoice, haveTools bool, names map[string]string) error {
	if tc == nil {
		return nil
	}
	if tc.Type == "" {
		if tc.Mode == "" {
			return InvalidRequest("tool_choice", "Invalid value for 'tool_choice': expected a string or an object.")
		}
		if err := checkEnum("tool_choice", tc.Mode, "none", "auto", "required"); err != nil {
			return err
		}
		if tc.Mode == ToolChoiceRequired && !haveTools {
			return InvalidRequest("tool_choice", "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.")
		}
		return nil
	}
	switch tc.Type {
	case "function", "custom":
		if tc.Name == "" {
			return missing("tool_choice.name")
		}
		if names[tc.Name] != tc.Type {
			return InvalidRequest("tool_choice", "Tool choice '%s' not found in 'tools' parameter.", tc.Name)
		}
	case "allowed_tools":
		if err := checkEnum("tool_choice.mode", tc.AllowedMode, "auto", "required"); err != nil {
			return err
		}
		if tc.Tools == nil {
			return missing("tool_choice.tools")
		}
	}
	return nil
}
