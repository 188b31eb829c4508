package oaitest_test

import (
	"encoding/json"
	"testing"

	"github.com/oaicompat/oaicompat/internal/handlertest"
	"github.com/oaicompat/oaicompat/oaitest"
)

// TestGenerate checks that generated values validate against their schema.
func TestGenerate(t *testing.T) {
	t.Parallel()
	schemas := map[string]string{
		"empty":   `{}`,
		"string":  `{"type":"string","minLength":12,"maxLength":20}`,
		"short":   `{"type":"string","maxLength":3}`,
		"formats": `{"type":"object","properties":{"a":{"type":"string","format":"date-time"},"b":{"type":"string","format":"email"},"c":{"type":"string","format":"uuid"},"d":{"type":"string","format":"uri"},"e":{"type":"string","format":"date"},"f":{"type":"string","format":"ipv4"}},"required":["a","b","c","d","e","f"]}`,
		"numbers": `{"type":"object","properties":{` +
			`"a":{"type":"integer","minimum":5,"maximum":9},"b":{"type":"number","exclusiveMinimum":0,"exclusiveMaximum":1},` +
			`"c":{"type":"integer","exclusiveMinimum":10},"d":{"type":"number","maximum":-3},"e":{"type":"integer","multipleOf":7,"minimum":1},` +
			`"f":{"type":"integer","minimum":0.5,"maximum":1.5}},"required":["a","b","c","d","e","f"]}`,
		"enum const bool null": `{"type":"object","properties":{"a":{"enum":["x","y"]},"b":{"const":{"k":[1]}},"c":{"type":"boolean"},"d":{"type":"null"}},"required":["a","b","c","d"],"additionalProperties":false}`,
		"nullable":             `{"type":"object","properties":{"a":{"type":["string","null"]},"b":{"anyOf":[{"type":"null"},{"type":"integer","minimum":3}]},"c":{"type":"integer","nullable":true}},"required":["a","b","c"]}`,
		"arrays": `{"type":"object","properties":{"a":{"type":"array","items":{"type":"integer"},"minItems":3,"uniqueItems":true},` +
			`"b":{"type":"array","prefixItems":[{"type":"string"},{"type":"boolean"}]},"c":{"type":"array","maxItems":0}},"required":["a","b","c"]}`,
		"refs": `{"$defs":{"city":{"type":"object","properties":{"name":{"type":"string"},"next":{"anyOf":[{"$ref":"#/$defs/city"},{"type":"null"}]}},"required":["name","next"],"additionalProperties":false}},` +
			`"type":"object","properties":{"home":{"$ref":"#/$defs/city"}},"required":["home"],"additionalProperties":false}`,
		"allOf":     `{"allOf":[{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]},{"properties":{"b":{"type":"integer","minimum":2}},"required":["b"]}]}`,
		"oneOf":     `{"oneOf":[{"type":"string","maxLength":2},{"type":"integer"}]}`,
		"inferred":  `{"properties":{"n":{"minimum":4}},"required":["n"]}`,
		"top array": `{"type":"array","items":{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}}`,
	}
	for name, schema := range schemas {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			v := oaitest.Generate(json.RawMessage(schema))
			doc, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			var s any
			if err := json.Unmarshal([]byte(schema), &s); err != nil {
				t.Fatal(err)
			}
			handlertest.Validate(t, s, string(doc))
			if again, _ := json.Marshal(oaitest.Generate(json.RawMessage(schema))); string(again) != string(doc) {
				t.Errorf("not deterministic: %s vs %s", doc, again)
			}
		})
	}
}
