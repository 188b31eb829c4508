package oaicompat

import (
	"net/http"
	"strconv"
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

// validateSchemas checks the schemas of r; it is the last step of Validate.
func validateSchemas(r *ChatRequest) error {
	for i := range r.Tools {
		if f := r.Tools[i].Function; f != nil {
			if err := checkFunctionSchema("tools", i, ".function.parameters", f); err != nil {
				return err
			}
		}
	}
	for i := range r.Functions {
		if err := checkFunctionSchema("functions", i, ".parameters", &r.Functions[i]); err != nil {
			return err
		}
	}
	if rf := r.ResponseFormat; rf != nil && rf.Type == "json_schema" && rf.JSONSchema != nil && hasSchema(rf.JSONSchema.Schema) {
		c := compileSchema(rf.JSONSchema.Schema)
		if issue := c.issue(isTrue(rf.JSONSchema.Strict)); issue != nil {
			return InvalidRequest("response_format", "Invalid schema for response_format '%s': %s", rf.JSONSchema.Name, issue)
		}
	}
	return nil
}

// checkFunctionSchema checks f's parameters; the param of the error is
// list[i]field.
func checkFunctionSchema(list string, i int, field string, f *FunctionDefinition) error {
	if !hasSchema(f.Parameters) {
		return nil
	}
	if issue := compileSchema(f.Parameters).issue(isTrue(f.Strict)); issue != nil {
		return NewError(http.StatusBadRequest, TypeInvalidRequest, "invalid_function_parameters", list+"["+strconv.Itoa(i)+"]"+field,
			"Invalid schema for function '"+f.Name+"': "+issue.String())
	}
	return nil
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
func hasSchema(raw []byte) bool { return len(raw) > 0 && !isNull(raw) }

func isTrue(b *bool) bool { return b != nil && *b }
