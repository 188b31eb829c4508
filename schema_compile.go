package oaicompat

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	gojson "github.com/goccy/go-json"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// This file compiles the JSON Schemas a request carries (tool parameters,
// response_format schemas) with santhosh-tekuri/jsonschema, remembers the
// result in a small bounded cache keyed by the schema's bytes, and checks
// output against them. Both the request validator and the output guard use
// it, so a schema is compiled once however often it is sent.

// compiledSchema is one schema, compiled: sch validates instances, invalid
// says why the schema is not valid JSON Schema (then sch is nil), strict
// names the first OpenAI strict-mode rule it breaks (nil when none).
type compiledSchema struct {
	sch     *jsonschema.Schema
	invalid *schemaIssue
	strict  *schemaIssue
}

// schemaIssue is a problem found in a schema, worded as OpenAI words it:
// "In context=('properties', 'x'), <msg>" when context is set, else <msg>.
type schemaIssue struct {
	context bool
	path    []string
	msg     string
}

func (i *schemaIssue) String() string {
	if !i.context {
		return i.msg
	}
	return "In context=" + pyTuple(i.path) + ", " + i.msg
}

// pyTuple renders a path as the Python tuple OpenAI's messages show:
// (), ('a',), ('a', 'b').
func pyTuple(path []string) string {
	var sb strings.Builder
	sb.WriteByte('(')
	for i, p := range path {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('\'')
		sb.WriteString(strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(p))
		sb.WriteByte('\'')
	}
	if len(path) == 1 {
		sb.WriteByte(',')
	}
	sb.WriteByte(')')
	return sb.String()
}

var printer = message.NewPrinter(language.English)

// schemaURL is where a compiled schema lives for the compiler; references
// are resolved inside it only.
const schemaURL = "mem:///schema.json"

// compileSchema compiles raw (a JSON value already known to be well formed),
// through the cache.
func compileSchema(raw []byte, budget *schemaBudget) *compiledSchema {
	if c := schemaCache.get(raw); c != nil {
		return c
	}
	doc, objects, c := parseSchema(raw)
	if c == nil {
		if budget != nil {
			if objects > budget.left {
				// Not cached: another request may compile it.
				return &compiledSchema{invalid: &schemaIssue{msg: fmt.Sprintf("the schemas of this request have more than %d objects together; this server compiles at most %d for one request.", maxRequestSchemaObjects, maxRequestSchemaObjects)}}
			}
			budget.left -= objects
		}
		c = compileDoc(doc)
	}
	schemaCache.put(raw, c)
	return c
}

// schemaBudget is how many schema objects one request may still have
// compiled (see maxRequestSchemaObjects); schemas from the cache are free.
type schemaBudget struct{ left int }

func newSchemaBudget() *schemaBudget { return &schemaBudget{left: maxRequestSchemaObjects} }

// maxRequestSchemaObjects bounds the objects of the schemas one request
// has compiled: 128 tools of 150 objects each, or two of the largest.
const maxRequestSchemaObjects = 2 * maxSchemaObjects

func compileUncached(raw []byte) *compiledSchema {
	doc, _, c := parseSchema(raw)
	if c != nil {
		return c
	}
	return compileDoc(doc)
}

// parseSchema parses raw and counts its JSON objects; refused is the
// verdict instead when raw is not JSON or too large to compile.
func parseSchema(raw []byte) (doc any, objects int, refused *compiledSchema) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, 0, &compiledSchema{invalid: &schemaIssue{msg: "the schema is not valid JSON."}}
	}
	if objects = countObjects(doc, maxSchemaObjects+1); objects > maxSchemaObjects {
		return nil, 0, &compiledSchema{invalid: &schemaIssue{msg: fmt.Sprintf("the schema has more than %d objects; this server compiles at most %d.", maxSchemaObjects, maxSchemaObjects)}}
	}
	return doc, objects, nil
}

// compileDoc compiles a parsed schema.
func compileDoc(doc any) *compiledSchema {
	c := jsonschema.NewCompiler()
	// No loader: a $ref may point inside the schema only, never to a file
	// or the network.
	c.UseLoader(jsonschema.SchemeURLLoader{})
	c.AssertFormat()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return &compiledSchema{invalid: &schemaIssue{msg: err.Error()}}
	}
	sch, err := c.Compile(schemaURL)
	if err != nil {
		return &compiledSchema{invalid: compileIssue(err)}
	}
	return &compiledSchema{sch: sch, strict: checkStrict(doc)}
}

// maxSchemaObjects bounds the JSON objects of a schema this server
// compiles. The compiler's work grows with the square of a schema's
// subschemas (it looks each one up in a list): 20,000 properties took 2 s,
// 100,000 two minutes, and the default body limit allows far more. OpenAI's
// strict mode allows 5,000 properties, which take at most about 10,000
// objects (a subschema each, and the properties objects).
const maxSchemaObjects = 10000

// countObjects counts the JSON objects in v, stopping once it reaches limit.
func countObjects(v any, limit int) int {
	n := 0
	var walk func(v any)
	walk = func(v any) {
		if n >= limit {
			return
		}
		switch v := v.(type) {
		case map[string]any:
			n++
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return n
}

// compileIssue turns a compiler error into a schemaIssue.
func compileIssue(err error) *schemaIssue {
	var (
		sv  *jsonschema.SchemaValidationError
		lu  *jsonschema.LoadURLError
		np  *jsonschema.JSONPointerNotFoundError
		ire *jsonschema.InvalidRegexError
	)
	switch {
	case errors.As(err, &sv):
		var ve *jsonschema.ValidationError
		if errors.As(sv.Err, &ve) {
			leaf := firstLeaf(ve)
			return &schemaIssue{context: true, path: leaf.InstanceLocation, msg: leaf.ErrorKind.LocalizedString(printer) + "."}
		}
	case errors.As(err, &lu):
		return &schemaIssue{msg: fmt.Sprintf("'$ref' %q cannot be resolved: only references within the schema ('#...') are supported.", strings.TrimPrefix(lu.URL, schemaURL))}
	case errors.As(err, &np):
		return &schemaIssue{msg: fmt.Sprintf("'$ref' %q points to nothing in the schema.", strings.TrimPrefix(np.URL, schemaURL))}
	case errors.As(err, &ire):
		return &schemaIssue{msg: fmt.Sprintf("%q is not a supported regular expression: %v.", ire.Regex, ire.Err)}
	}
	return &schemaIssue{msg: strings.ReplaceAll(err.Error(), schemaURL, "") + "."}
}

// firstLeaf returns the first innermost cause of a validation error, the
// most specific thing wrong.
func firstLeaf(ve *jsonschema.ValidationError) *jsonschema.ValidationError {
	for len(ve.Causes) > 0 {
		ve = ve.Causes[0]
	}
	return ve
}

// validate checks that data is one JSON value that the schema accepts. The
// error says what is wrong in one line, e.g. "at '/unit': value must be one
// of 'km', 'mi'". A nil schema accepts any JSON.
func (c *compiledSchema) validate(data []byte) error {
	v, err := decodeInstance(data)
	if err != nil {
		return err
	}
	return c.validateValue(v)
}

// validateValue checks a decoded instance.
func (c *compiledSchema) validateValue(v any) error {
	if c == nil || c.sch == nil {
		return nil
	}
	if err := c.sch.Validate(v); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			leaf := firstLeaf(ve)
			return fmt.Errorf("at '%s': %s", jsonPointer(leaf.InstanceLocation), kindMessage(leaf.ErrorKind))
		}
		return err
	}
	return nil
}

// kindMessage words a validation error, with JSON values written as JSON
// (null, not <nil>).
func kindMessage(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Enum:
		vals := make([]string, len(k.Want))
		for i, v := range k.Want {
			b, _ := json.Marshal(v)
			vals[i] = strings.ReplaceAll(string(b), `"`, "'")
		}
		return "value must be one of " + strings.Join(vals, ", ")
	case *kind.Const:
		b, _ := json.Marshal(k.Want)
		return "value must be " + string(b)
	}
	return k.LocalizedString(printer)
}

// decodeInstance parses data as exactly one JSON value, numbers kept exact.
func decodeInstance(data []byte) (any, error) {
	dec := gojson.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if len(bytes.TrimSpace(data)) == 0 {
			return nil, errors.New("empty, not JSON")
		}
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	if dec.More() || len(bytes.TrimSpace(data[dec.InputOffset():])) > 0 {
		return nil, errors.New("not valid JSON: data after the value")
	}
	return v, nil
}

func jsonPointer(path []string) string {
	var sb strings.Builder
	for _, p := range path {
		sb.WriteByte('/')
		sb.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(p))
	}
	return sb.String()
}

// schemaLRU is a small bounded cache of compiled schemas keyed by their
// bytes: at most max entries and maxBytes of schema text (a compiled schema
// takes a small multiple of its text). When full, arbitrary entries make
// room: requests usually repeat a handful of schemas, and a miss costs one
// compile.
type schemaLRU struct {
	mu       sync.Mutex
	m        map[string]*compiledSchema
	bytes    int
	max      int
	maxBytes int
}

// schemaCache is shared by every [Handler]: the result depends on the bytes only.
var schemaCache = &schemaLRU{m: map[string]*compiledSchema{}, max: 256, maxBytes: 4 << 20}

func (l *schemaLRU) get(raw []byte) *compiledSchema {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.m[string(raw)]
}

func (l *schemaLRU) put(raw []byte, c *compiledSchema) {
	if len(raw) > l.maxBytes/8 {
		return // a giant schema would evict everything else
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.m[string(raw)]; ok {
		return
	}
	for k := range l.m {
		if len(l.m) < l.max && l.bytes+len(raw) <= l.maxBytes {
			break
		}
		delete(l.m, k)
		l.bytes -= len(k)
	}
	l.m[string(raw)] = c
	l.bytes += len(raw)
}
