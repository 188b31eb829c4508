package oaicompat

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/invopop/jsonschema"
	"github.com/oaicompat/oaicompat/internal/jsonx"
)

// This file turns Go types into the JSON Schemas that tools and structured
// outputs carry, and decodes arguments and replies back into them. Schemas
// come from github.com/invopop/jsonschema (json tags name the properties,
// jsonschema tags add descriptions, enums, ...) and are then made to satisfy
// OpenAI's strict mode:
//
//   - every object lists all its properties in required and sets
//     additionalProperties: false;
//   - an optional field (a pointer, or tagged omitempty/omitzero, or
//     jsonschema:"nullable") is nullable instead: "type": ["string", "null"],
//     or anyOf [..., {"type": "null"}] for a referenced type;
//   - struct types are inlined, except recursive ones, which stay in $defs
//     and are referenced; a $ref never has sibling keywords;
//   - no $schema or $id.
//
// The result must pass the strict-mode check the handler applies to
// requests; a type that cannot (a map, an interface, a minLength tag) is an
// error naming the offending property.

// SchemaFor returns the strict-mode JSON Schema of T, a struct type whose
// json tags name the properties and whose jsonschema tags (as understood by
// github.com/invopop/jsonschema) describe them. The result is computed once
// per type.
func SchemaFor[T any]() (json.RawMessage, error) {
	ts := typeSchemaOf(reflect.TypeFor[T]())
	return ts.raw, ts.err
}

// FunctionTool returns a strict function tool named name whose parameters
// are the schema of T (see [SchemaFor]). It panics if T has no strict schema,
// like regexp.MustCompile, since tools are declared once by the program.
func FunctionTool[T any](name, description string) Tool {
	strict := true
	return Tool{Type: "function", Function: &FunctionDefinition{
		Name: name, Description: description, Parameters: mustSchema[T](), Strict: &strict,
	}}
}

// ResponseFormatFor returns the chat response_format that asks for a reply
// of type T: {"type":"json_schema","json_schema":{"name":name,"schema":...,
// "strict":true}}. It panics if T has no strict schema.
func ResponseFormatFor[T any](name string) *ResponseFormat {
	strict := true
	return &ResponseFormat{Type: "json_schema", JSONSchema: &JSONSchemaFormat{
		Name: name, Schema: mustSchema[T](), Strict: &strict,
	}}
}

// TextFormatFor returns the Responses API form of [ResponseFormatFor], the
// value of text.format, which is flat: {"type":"json_schema","name":name,
// "schema":...,"strict":true}. It panics if T has no strict schema.
func TextFormatFor[T any](name string) json.RawMessage {
	b := []byte(`{"type":"json_schema","name":`)
	b = jsonx.AppendString(b, name)
	b = append(b, `,"schema":`...)
	b = append(b, mustSchema[T]()...)
	return append(b, `,"strict":true}`...)
}

// Decode parses data, a tool call's arguments or a structured reply, into a
// T. When T has a strict schema the data is first validated against it, so
// the error says what is wrong where ("oaicompat: decode main.Args: at
// '/unit': value must be one of 'km', 'mi'"); otherwise it is decoded with
// unknown fields rejected.
func Decode[T any](data string) (T, error) {
	var v T
	t := reflect.TypeFor[T]()
	ts := typeSchemaOf(t)
	if ts.err == nil {
		if err := ts.compiled.validate([]byte(data)); err != nil {
			return v, fmt.Errorf("oaicompat: decode %v: %w", t, err)
		}
	}
	dec := json.NewDecoder(strings.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, fmt.Errorf("oaicompat: decode %v: %w", t, err)
	}
	return v, nil
}

func mustSchema[T any]() json.RawMessage {
	s, err := SchemaFor[T]()
	if err != nil {
		panic(err)
	}
	return s
}

// typeSchema is the schema of one Go type, with its compiled form.
type typeSchema struct {
	raw      json.RawMessage
	compiled *compiledSchema
	err      error
}

var typeSchemas sync.Map // reflect.Type -> *typeSchema

func typeSchemaOf(t reflect.Type) *typeSchema {
	if ts, ok := typeSchemas.Load(t); ok {
		return ts.(*typeSchema)
	}
	ts := &typeSchema{}
	ts.raw, ts.err = strictSchema(t)
	if ts.err == nil {
		ts.compiled = compileUncached(ts.raw)
		if issue := ts.compiled.issue(true); issue != nil {
			ts.err = fmt.Errorf("oaicompat: no strict schema for %v: %s", t, issue)
		}
	}
	if ts.err != nil {
		ts.raw = nil
	}
	actual, _ := typeSchemas.LoadOrStore(t, ts)
	return actual.(*typeSchema)
}

// strictSchema reflects t and makes the schema strict.
func strictSchema(t reflect.Type) (raw json.RawMessage, err error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	defer func() {
		// invopop panics on types it cannot express (chan, func, complex).
		if v := recover(); v != nil {
			err = fmt.Errorf("oaicompat: no schema for %v: %v", t, v)
		}
	}()
	sf := &strictifier{types: map[string]reflect.Type{}}
	r := jsonschema.Reflector{Anonymous: true, Namer: sf.name}
	s := r.ReflectFromType(t)
	sf.defs = s.Definitions
	for name, def := range sf.defs {
		sf.walk(def, sf.types[name])
	}
	// The root is the root type's definition, inlined; it stays in $defs
	// too when the type is recursive.
	if def := sf.defs[defName(s.Ref)]; def != nil {
		s = cloneSchema(def)
	} else {
		s.Version, s.Definitions = "", nil
		sf.walk(s, t)
	}
	sf.inlineAll(s)
	return json.Marshal(s)
}

// strictifier rewrites an invopop schema into strict form, pairing each
// subschema with the Go type it was made from.
type strictifier struct {
	types map[string]reflect.Type // $defs name -> type
	defs  jsonschema.Definitions
}

// name is the Reflector's Namer: it records which type each definition
// holds, and qualifies a name two types would share.
func (sf *strictifier) name(t reflect.Type) string {
	name := t.Name()
	if name == "" {
		return ""
	}
	if prev, ok := sf.types[name]; ok && prev != t {
		name = strings.ReplaceAll(t.PkgPath(), "/", "_") + "." + name
	}
	sf.types[name] = t
	return name
}

// walk makes the object schemas in s (made from t) strict.
func (sf *strictifier) walk(s *jsonschema.Schema, t reflect.Type) {
	if s == nil || t == nil || s.Ref != "" {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if s.Properties == nil {
			return // time.Time and the like
		}
		fields := jsonFields(t)
		s.Required = s.Required[:0]
		for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
			prop, optional := pair.Value, false
			if len(prop.OneOf) == 2 && prop.OneOf[1].Type == "null" { // jsonschema:"nullable"
				prop, optional = prop.OneOf[0], true
			}
			if f, ok := fields[pair.Key]; ok {
				sf.walk(prop, f.Type)
				optional = optional || isOptional(f)
			}
			if optional {
				prop = nullable(prop)
			}
			pair.Value = prop
			s.Required = append(s.Required, pair.Key)
		}
		if len(s.Required) == 0 { // invopop omits an empty list
			if s.Extras == nil {
				s.Extras = map[string]any{}
			}
			s.Extras["required"] = []string{}
		}
	case reflect.Slice, reflect.Array:
		sf.walk(s.Items, t.Elem())
	}
}

// jsonFields returns t's fields by JSON name, with embedded structs
// flattened as encoding/json (and invopop) do.
func jsonFields(t reflect.Type) map[string]reflect.StructField {
	fields := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("json"), ",")
		if tag[0] == "-" {
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if (f.Anonymous && tag[0] == "" && ft.Kind() == reflect.Struct) || slicesContains(tag[1:], "inline") {
			for k, v := range jsonFields(ft) {
				if _, ok := fields[k]; !ok {
					fields[k] = v
				}
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		name := tag[0]
		if name == "" {
			name = f.Name
		}
		fields[name] = f
	}
	return fields
}

// isOptional reports whether a field may be left out or null: a pointer, or
// omitempty/omitzero without jsonschema:"required", or jsonschema:"nullable".
func isOptional(f reflect.StructField) bool {
	schemaTags := strings.Split(f.Tag.Get("jsonschema"), ",")
	if slicesContains(schemaTags, "nullable") || f.Type.Kind() == reflect.Pointer {
		return true
	}
	jsonTags := strings.Split(f.Tag.Get("json"), ",")[1:]
	omit := slicesContains(jsonTags, "omitempty") || slicesContains(jsonTags, "omitzero")
	return omit && !slicesContains(schemaTags, "required")
}

func slicesContains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// nullable returns s extended to also accept null.
func nullable(s *jsonschema.Schema) *jsonschema.Schema {
	switch {
	case s.Ref != "":
		// {"$ref": ...} may carry a description: it moves to the wrapper.
		ref := &jsonschema.Schema{Ref: s.Ref}
		w := *s
		w.Ref = ""
		w.AnyOf = []*jsonschema.Schema{ref, {Type: "null"}}
		return &w
	case s.AnyOf != nil:
		for _, a := range s.AnyOf {
			if a.Type == "null" {
				return s
			}
		}
		s.AnyOf = append(s.AnyOf, &jsonschema.Schema{Type: "null"})
	case s.Type != "" && s.Const == nil:
		if s.Extras == nil {
			s.Extras = map[string]any{}
		}
		s.Extras["type"] = []string{s.Type, "null"}
		s.Type = ""
		if s.Enum != nil {
			s.Enum = append(s.Enum, nil)
		}
	case s.Type != "":
		w := &jsonschema.Schema{Description: s.Description}
		s.Description = ""
		w.AnyOf = []*jsonschema.Schema{s, {Type: "null"}}
		return w
	}
	return s
}

// inlineAll replaces references to non-recursive definitions by copies of
// them, and keeps in s.Definitions only what is still referenced.
func (sf *strictifier) inlineAll(s *jsonschema.Schema) {
	recursive := map[string]bool{}
	for name := range sf.defs {
		recursive[name] = sf.reaches(sf.defs[name], name, map[string]bool{})
	}
	sf.inline(s, recursive)
	kept := jsonschema.Definitions{}
	var keep func(*jsonschema.Schema)
	keep = func(s *jsonschema.Schema) {
		eachSub(s, func(sub *jsonschema.Schema) {
			if name := defName(sub.Ref); name != "" && kept[name] == nil && sf.defs[name] != nil {
				kept[name] = sf.defs[name]
				sf.inline(kept[name], recursive)
				keep(kept[name])
			}
			keep(sub)
		})
	}
	keep(s)
	if len(kept) > 0 {
		s.Definitions = kept
	}
}

// reaches reports whether s refers, directly or not, to definition target.
func (sf *strictifier) reaches(s *jsonschema.Schema, target string, seen map[string]bool) bool {
	found := false
	eachSub(s, func(sub *jsonschema.Schema) {
		if found {
			return
		}
		if name := defName(sub.Ref); name != "" {
			if name == target {
				found = true
			} else if !seen[name] {
				seen[name] = true
				found = sf.reaches(sf.defs[name], target, seen)
			}
			return
		}
		found = sf.reaches(sub, target, seen)
	})
	return found
}

// inline rewrites the subschemas of s in place.
func (sf *strictifier) inline(s *jsonschema.Schema, recursive map[string]bool) {
	eachSlot(s, func(slot **jsonschema.Schema) {
		sub := *slot
		name := defName(sub.Ref)
		if def := sf.defs[name]; def != nil && (!recursive[name] || hasSiblings(sub)) {
			c := cloneSchema(def)
			if sub.Description != "" {
				c.Description = sub.Description
			}
			if sub.Title != "" {
				c.Title = sub.Title
			}
			if !recursive[name] {
				sf.inline(c, recursive)
			}
			*slot = c
			return
		}
		sf.inline(sub, recursive)
	})
}

func hasSiblings(s *jsonschema.Schema) bool {
	c := *s
	c.Ref = ""
	return !reflect.DeepEqual(c, jsonschema.Schema{})
}

func defName(ref string) string {
	if name, ok := strings.CutPrefix(ref, "#/$defs/"); ok {
		return name
	}
	return ""
}

// eachSub calls f with every direct subschema of s.
func eachSub(s *jsonschema.Schema, f func(*jsonschema.Schema)) {
	eachSlot(s, func(slot **jsonschema.Schema) { f(*slot) })
}

// eachSlot calls f with a pointer to every direct subschema of s.
func eachSlot(s *jsonschema.Schema, f func(**jsonschema.Schema)) {
	if s == nil {
		return
	}
	if s.Properties != nil {
		for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
			if pair.Value != nil {
				f(&pair.Value)
			}
		}
	}
	for _, list := range [][]*jsonschema.Schema{s.AnyOf, s.OneOf, s.AllOf, s.PrefixItems} {
		for i := range list {
			if list[i] != nil {
				f(&list[i])
			}
		}
	}
	for _, p := range []**jsonschema.Schema{&s.Items, &s.AdditionalProperties, &s.Not, &s.If, &s.Then, &s.Else, &s.Contains} {
		if *p != nil && *p != jsonschema.FalseSchema && *p != jsonschema.TrueSchema {
			f(p)
		}
	}
}

// cloneSchema deep-copies the parts of s that inlining may change.
func cloneSchema(s *jsonschema.Schema) *jsonschema.Schema {
	c := *s
	if s.Properties != nil {
		c.Properties = jsonschema.NewProperties()
		for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
			c.Properties.Set(pair.Key, cloneSchema(pair.Value))
		}
	}
	cloneList := func(l []*jsonschema.Schema) []*jsonschema.Schema {
		if l == nil {
			return nil
		}
		out := make([]*jsonschema.Schema, len(l))
		for i, x := range l {
			out[i] = cloneSchema(x)
		}
		return out
	}
	c.AnyOf, c.OneOf, c.AllOf, c.PrefixItems = cloneList(s.AnyOf), cloneList(s.OneOf), cloneList(s.AllOf), cloneList(s.PrefixItems)
	for _, p := range []**jsonschema.Schema{&c.Items, &c.AdditionalProperties, &c.Not, &c.If, &c.Then, &c.Else, &c.Contains} {
		if *p != nil && *p != jsonschema.FalseSchema && *p != jsonschema.TrueSchema {
			*p = cloneSchema(*p)
		}
	}
	return &c
}
