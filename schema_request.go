package oaicompat

import (
	"net/http"
	"strconv"

	"github.com/oaicompat/oaicompat/internal/jsonx"
)

// This file is the request side of schema enforcement, a step of the shared
// validator: every tool's parameters and the json_schema response format
// must be valid JSON Schema, and follow the strict-mode rules when they say
// strict: true. The errors are OpenAI's:
//
//	400 {"message":"Invalid schema for function 'f': In context=(), 'additionalProperties' is required to be supplied and to be false.",
//	     "type":"invalid_request_error","param":"tools[0].function.parameters","code":"invalid_function_parameters"}
//	400 {"message":"Invalid schema for response_format 'r': In context=('properties', 'x'), 'minLength' is not permitted.",
//	     "type":"invalid_request_error","param":"response_format","code":null}
//
// The Responses API gets the same errors with its own param paths
// (tools[0].parameters, text.format).

// validateSchemas checks the schemas of r; it is the last step of Validate.
func validateSchemas(r *ChatRequest) error {
	budget := newSchemaBudget()
	for i := range r.Tools {
		if f := r.Tools[i].Function; f != nil {
			if issue := requestSchemaIssue(f.Parameters, f.Strict, budget); issue != nil {
				return functionSchemaError("tools["+strconv.Itoa(i)+"].function.parameters", f.Name, issue)
			}
		}
	}
	for i := range r.Functions {
		f := &r.Functions[i]
		if issue := requestSchemaIssue(f.Parameters, f.Strict, budget); issue != nil {
			return functionSchemaError("functions["+strconv.Itoa(i)+"].parameters", f.Name, issue)
		}
	}
	if rf := r.ResponseFormat; rf != nil && rf.Type == "json_schema" && rf.JSONSchema != nil {
		if issue := requestSchemaIssue(rf.JSONSchema.Schema, rf.JSONSchema.Strict, budget); issue != nil {
			return formatSchemaError("response_format", rf.JSONSchema.Name, issue)
		}
	}
	return nil
}

// requestSchemaIssue returns what makes a schema a request carries
// unacceptable, or nil; an absent schema is fine. Compiling it spends
// budget, the request's.
func requestSchemaIssue(raw []byte, strict *bool, budget *schemaBudget) *schemaIssue {
	if !hasSchema(raw) {
		return nil
	}
	return compileSchema(raw, budget).issue(isTrue(strict))
}

// functionSchemaError is OpenAI's answer to a tool whose parameters are unacceptable.
func functionSchemaError(param, name string, issue *schemaIssue) *Error {
	return &Error{Status: http.StatusBadRequest, Type: TypeInvalidRequest, Code: "invalid_function_parameters", Param: param, Message: "Invalid schema for function '" + name + "': " + issue.String()}

}

// formatSchemaError is OpenAI's answer to an unacceptable json_schema format.
func formatSchemaError(param, name string, issue *schemaIssue) *Error {
	return InvalidRequest(param, "Invalid schema for response_format '%s': %s", name, issue)
}

// issue returns what makes the schema unacceptable: not valid JSON Schema,
// or (when strict) breaking a strict-mode rule.
func (c *compiledSchema) issue(strict bool) *schemaIssue {
	if c.invalid != nil {
		return c.invalid
	}
	if strict {
		return c.strict
	}
	return nil
}

// hasSchema reports whether a raw schema field was given (not absent or null).
func hasSchema(raw []byte) bool { return len(raw) > 0 && !jsonx.IsNull(raw) }

func isTrue(b *bool) bool { return b != nil && *b }
