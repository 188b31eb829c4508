package oaitest

import (
	"encoding/json"

	"github.com/oaicompat/oaicompat/internal/schemagen"
)

// Generate returns a value valid against the JSON Schema schema, chosen
// deterministically: every declared property of an object, the minimum
// number of items of an array (at least one), the first enum value or the
// const, the first non-null branch of anyOf/oneOf, merged allOf branches,
// local $refs (#/$defs/..., #/definitions/...), nullable types answered
// with their non-null type, strings honouring format, minLength and
// maxLength, numbers honouring minimum/maximum (exclusive too) and
// multipleOf. A pattern is not honoured. An empty or unreadable schema
// gives an empty object. The mock answers Auto replies with it.
func Generate(schema json.RawMessage) any { return schemagen.Generate(schema) }
