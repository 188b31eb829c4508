package schemagen_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/oaicompat/oaicompat/internal/schemagen"
)

// checkValid fails t unless v is valid against schema.
func checkValid(t *testing.T, schema string, v any) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("s.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("s.json")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	inst, _ := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
	if err := sch.Validate(inst); err != nil {
		t.Errorf("%s is not valid against %s: %v", b, schema, err)
	}
}

// TestLooksLikeData: generated values are valid and read like data.
func TestLooksLikeData(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, schema, want string }{
		{"zod int is small", `{"type":"object","properties":{"n":{"type":"integer","minimum":-9007199254740991,"maximum":9007199254740991}},"required":["n"]}`,
			`{"n":7}`},
		{"integers by name, inside bounds", `{"type":"object","properties":{"age":{"type":"integer"},"year":{"type":"integer"},"rating":{"type":"integer","minimum":1,"maximum":3},` +
			`"floor":{"type":"integer","minimum":5},"weeks":{"type":"integer","exclusiveMaximum":2},"seats":{"type":"integer","multipleOf":5}}}`,
			`{"age":34,"floor":5,"rating":3,"seats":10,"weeks":1,"year":2024}`},
		{"numbers by name", `{"type":"object","properties":{"price":{"type":"number"},"lat":{"type":"number"},"ratio":{"type":"number","exclusiveMinimum":0,"exclusiveMaximum":0.5},"x":{"type":"number"}}}`,
			`{"lat":48.8566,"price":19.99,"ratio":0.25,"x":3.5}`},
		{"strings by name", `{"type":"object","properties":{"name":{"type":"string"},"first_name":{"type":"string"},"lastName":{"type":"string"},"email_address":{"type":"string"},` +
			`"city":{"type":"string"},"company_name":{"type":"string"},"user_id":{"type":"string"},"reason":{"type":"string"},"zork":{"type":"string"}}}`,
			`{"city":"Paris","company_name":"Acme Corp","email_address":"alice.martin@example.com","first_name":"Alice","lastName":"Martin","name":"Alice Martin","reason":"Requested by the customer.","user_id":"user_101","zork":"sample zork"}`},
		{"strings by format", `{"type":"object","properties":{"contact":{"type":"string","format":"email"},"born":{"type":"string","format":"date"},"id":{"type":"string","format":"uuid"},"site":{"type":"string","format":"uri"}}}`,
			`{"born":"2024-05-17","contact":"alice.martin@example.com","id":"3f2b8c1e-9d4a-4c7b-8e21-00005a17c0de","site":"https://example.com/alice"}`},
		{"enums, arrays of people", `{"type":"object","properties":{"unit":{"enum":["celsius","fahrenheit"]},"people":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"]}}}}`,
			`{"people":[{"age":34,"name":"Alice Martin"},{"age":35,"name":"Bob Smith"}],"unit":"celsius"}`},
		{"array bounds", `{"type":"object","properties":{"one":{"type":"array","maxItems":1,"items":{"type":"string"}},"four":{"type":"array","minItems":4,"items":{"type":"integer","maximum":8}},` +
			`"tags":{"type":"array","items":{"type":"string"}},"unique":{"type":"array","uniqueItems":true,"items":{"enum":["x"]}}}}`,
			`{"four":[7,8,8,8],"one":["sample one"],"tags":["news","sports"],"unique":["x"]}`},
		{"booleans by name", `{"type":"object","properties":{"is_deleted":{"type":"boolean"},"verified":{"type":"boolean"}}}`,
			`{"is_deleted":false,"verified":true}`},
	} {
		v := schemagen.Generate(json.RawMessage(c.schema))
		if got, _ := json.Marshal(v); string(got) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
		checkValid(t, c.schema, v)
	}
}

// TestGenerateWithHints: a hint is used where it is valid against the
// property's schema, and ignored elsewhere and for array items (which
// would all get it).
func TestGenerateWithHints(t *testing.T) {
	t.Parallel()
	schema := `{"type":"object","properties":{"city":{"type":"string"},"code":{"type":"string","pattern":"^[A-Z]{3}$"},"unit":{"enum":["c","f"]},` +
		`"days":{"type":"integer","maximum":5},"count":{"type":"integer"},"when":{"type":"string","format":"date"},"nested":{"type":"object","properties":{"city":{"type":"string"}}},` +
		`"travellers":{"type":"array","items":{"type":"string"}}},"required":["city","code","unit","days","count","when","nested","travellers"],"additionalProperties":false}`
	hints := map[string]any{"city": "Lyon", "code": "lyon", "unit": "f", "days": 9, "count": 12, "when": "tomorrow", "nested": "no", "travellers": "Lyon"}
	v := schemagen.GenerateWith(json.RawMessage(schema), func(name string, _ map[string]any) (any, bool) {
		h, ok := hints[name]
		return h, ok
	})
	got, _ := json.Marshal(v)
	if want := `{"city":"Lyon","code":"ABC123","count":12,"days":5,"nested":{"city":"Lyon"},"travellers":["Alice Martin","Bob Smith"],"unit":"f","when":"2024-05-17"}`; string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestWords(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"get_weather": "get weather", "getWeather": "get weather", "Get-Weather": "get weather",
		"HTTPServer": "http server", "user id2": "user id2", "": "",
	} {
		if got := strings.Join(schemagen.Words(in), " "); got != want {
			t.Errorf("Words(%q) = %q, want %q", in, got, want)
		}
	}
}
