package oaicompat_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat"
)

// Types for schema generation.

type unitArgs struct {
	Value float64 `json:"value" jsonschema:"description=The quantity to convert"`
	From  string  `json:"from" jsonschema:"enum=km,enum=mi,enum=m"`
	To    string  `json:"to" jsonschema:"enum=km,enum=mi,enum=m"`
}

type optionalFields struct {
	Name     string   `json:"name"`
	Nick     *string  `json:"nick"`
	Note     string   `json:"note,omitempty"`
	Count    int      `json:"count,omitzero"`
	Level    string   `json:"level,omitempty" jsonschema:"enum=low,enum=high"`
	Must     string   `json:"must,omitempty" jsonschema:"required"`
	Tagged   int      `json:"tagged" jsonschema:"nullable"`
	Tags     []string `json:"tags,omitempty"`
	Internal string   `json:"-"`
	hidden   string   //lint:ignore U1000 an unexported field stays out of the schema
}

type address struct {
	Street string `json:"street"`
	City   string `json:"city" jsonschema:"description=City name"`
}

type nested struct {
	Home    address   `json:"home" jsonschema:"description=Where they live"`
	Work    *address  `json:"work"`
	Others  []address `json:"others"`
	Matrix  [][]int   `json:"matrix"`
	Updated time.Time `json:"updated"`
}

type treeNode struct {
	Label    string      `json:"label"`
	Children []*treeNode `json:"children" jsonschema:"description=Sub-trees"`
}

type forest struct {
	Root  treeNode  `json:"root" jsonschema:"description=The main tree"`
	Spare *treeNode `json:"spare"`
}

type base struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
}

type embedded struct {
	base
	Title string `json:"title"`
}

type empty struct{}

func TestSchemaForGolden(t *testing.T) {
	cases := []struct {
		name   string
		schema func() (json.RawMessage, error)
	}{
		{"simple", oaicompat.SchemaFor[unitArgs]},
		{"optional", oaicompat.SchemaFor[optionalFields]},
		{"nested", oaicompat.SchemaFor[nested]},
		{"recursive", oaicompat.SchemaFor[treeNode]},
		{"recursive_field", oaicompat.SchemaFor[forest]},
		{"embedded", oaicompat.SchemaFor[embedded]},
		{"pointer_root", oaicompat.SchemaFor[*unitArgs]},
		{"empty", oaicompat.SchemaFor[empty]},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw, err := c.schema()
			if err != nil {
				t.Fatal(err)
			}
			// The request validator accepts it as a strict tool's parameters.
			strict := true
			req := oaicompat.ChatRequest{Model: "m", Messages: []oaicompat.Message{{Role: oaicompat.RoleUser, Content: oaicompat.TextContent("hi")}},
				Tools: []oaicompat.Tool{{Type: "function", Function: &oaicompat.FunctionDefinition{Name: "f", Parameters: raw, Strict: &strict}}}}
			if err := oaicompat.ValidateChat(&req); err != nil {
				t.Fatalf("generated schema fails the strict check: %v", err)
			}
			var buf bytes.Buffer
			if err := json.Indent(&buf, raw, "", "  "); err != nil {
				t.Fatal(err)
			}
			buf.WriteByte('\n')
			goldenFile(t, "schema/"+c.name+".json", buf.Bytes())
		})
	}
}

type withMap struct {
	Counts map[string]int `json:"counts"`
}

type withAny struct {
	Payload any `json:"payload"`
}

type withMinLength struct {
	Name string `json:"name" jsonschema:"minLength=3"`
}

type withDefault struct {
	Name string `json:"name" jsonschema:"default=bob"`
}

type withChan struct {
	C chan int `json:"c"`
}

func TestSchemaForErrors(t *testing.T) {
	cases := []struct {
		name   string
		schema func() (json.RawMessage, error)
		want   string
	}{
		{"map", oaicompat.SchemaFor[withMap], "oaicompat: no strict schema for oaicompat_test.withMap: In context=('properties', 'counts'), 'additionalProperties' is required to be supplied and to be false."},
		{"interface", oaicompat.SchemaFor[withAny], "In context=('properties', 'payload'), schema must be a JSON object, got true."},
		{"minLength", oaicompat.SchemaFor[withMinLength], "In context=('properties', 'name'), 'minLength' is not permitted."},
		{"default", oaicompat.SchemaFor[withDefault], "In context=('properties', 'name'), 'default' is not permitted."},
		{"chan", oaicompat.SchemaFor[withChan], "oaicompat: no schema for oaicompat_test.withChan: unsupported type chan int"},
		{"not an object", oaicompat.SchemaFor[[]unitArgs], `schema must be a JSON Schema of 'type: "object"', got 'type: "array"'.`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw, err := c.schema()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
			if raw != nil {
				t.Errorf("schema = %s, want nil with an error", raw)
			}
		})
	}
	func() {
		defer func() {
			if v := recover(); v == nil || !strings.Contains(v.(error).Error(), "counts") {
				t.Errorf("FunctionTool[withMap] recovered %v, want a panic naming the field", v)
			}
		}()
		oaicompat.FunctionTool[withMap]("f", "")
	}()
}

func TestToolAndFormatShapes(t *testing.T) {
	schema, err := oaicompat.SchemaFor[unitArgs]()
	if err != nil {
		t.Fatal(err)
	}
	tool, _ := json.Marshal(oaicompat.FunctionTool[unitArgs]("convert_units", "Converts a length."))
	want := `{"type":"function","function":{"name":"convert_units","description":"Converts a length.","parameters":` + string(schema) + `,"strict":true}}`
	if string(tool) != want {
		t.Errorf("FunctionTool:\n got %s\nwant %s", tool, want)
	}
	rf, _ := json.Marshal(oaicompat.ResponseFormatFor[unitArgs]("conversion"))
	want = `{"type":"json_schema","json_schema":{"name":"conversion","schema":` + string(schema) + `,"strict":true}}`
	if string(rf) != want {
		t.Errorf("ResponseFormatFor:\n got %s\nwant %s", rf, want)
	}
	tf := oaicompat.TextFormatFor[unitArgs]("conversion")
	want = `{"type":"json_schema","name":"conversion","schema":` + string(schema) + `,"strict":true}`
	if string(tf) != want {
		t.Errorf("TextFormatFor:\n got %s\nwant %s", tf, want)
	}
	// The request validator accepts what the helpers make.
	req := oaicompat.ChatRequest{Model: "m", Messages: []oaicompat.Message{{Role: oaicompat.RoleUser, Content: oaicompat.TextContent("hi")}},
		Tools: []oaicompat.Tool{oaicompat.FunctionTool[unitArgs]("convert_units", ""), oaicompat.FunctionTool[forest]("plant", "")}, ResponseFormat: oaicompat.ResponseFormatFor[nested]("n")}
	if err := oaicompat.ValidateChat(&req); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestDecode(t *testing.T) {
	cases := []struct {
		name, data, want string
	}{
		{"valid", `{"value":3,"from":"km","to":"mi"}`, ""},
		{"bad enum", `{"value":3,"from":"km","to":"yd"}`, "oaicompat: decode oaicompat_test.unitArgs: at '/to': value must be one of 'km', 'mi', 'm'"},
		{"missing", `{"value":3,"from":"km"}`, "at '': missing property 'to'"},
		{"extra", `{"value":3,"from":"km","to":"mi","x":1}`, "at '': additional properties 'x' not allowed"},
		{"wrong type", `{"value":"3","from":"km","to":"mi"}`, "at '/value': got string, want number"},
		{"not json", `{"value":`, "not valid JSON"},
		{"trailing", `{"value":3,"from":"km","to":"mi"} {}`, "not valid JSON"},
		{"empty", ``, "empty, not JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := oaicompat.Decode[unitArgs](c.data)
			if c.want == "" {
				if err != nil || got != (unitArgs{Value: 3, From: "km", To: "mi"}) {
					t.Fatalf("Decode = %+v, %v", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}
	// Nullable fields decode to nil pointers and zero values.
	o, err := oaicompat.Decode[optionalFields](`{"name":"a","nick":null,"note":null,"count":null,"level":null,"must":"m","tagged":null,"tags":null}`)
	if err != nil || o.Nick != nil || o.Name != "a" || o.Must != "m" {
		t.Fatalf("Decode optional = %+v, %v", o, err)
	}
	// A type with no strict schema is still decoded, unknown fields rejected.
	m, err := oaicompat.Decode[withMap](`{"counts":{"a":1}}`)
	if err != nil || m.Counts["a"] != 1 {
		t.Fatalf("Decode map = %+v, %v", m, err)
	}
	if _, err := oaicompat.Decode[withMap](`{"counts":{},"x":1}`); err == nil || !strings.Contains(err.Error(), `unknown field "x"`) {
		t.Fatalf("Decode map with unknown field: %v", err)
	}
}
