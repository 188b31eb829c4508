package oaicompat

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"

	"github.com/oaicompat/oaicompat/anthropic"
	"github.com/oaicompat/oaicompat/internal/httpx"
	"github.com/oaicompat/oaicompat/internal/jsonx"
	"github.com/oaicompat/oaicompat/responses"
)

// This file turns a request body into one of the request types: read with a
// bound, check it is a JSON object, decode with goccy/go-json, then keep the
// fields the type does not model in Extra. Errors are OpenAI-shaped with the
// offending field in param.

var errNotJSON = InvalidRequest("", "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)")

// readBody reads at most limit bytes of r's body within timeout (when
// positive) or by the request context's deadline, whichever comes first
// (so that middleware.Timeout bounds the body too). A body whose Content-Length is over the limit is refused
// before any of it is read; one that crosses the limit while it arrives is
// refused as soon as it does. The buffer is sized from Content-Length, so
// a body costs its size once.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, timeout time.Duration) (_ []byte, err error) {
	if r.ContentLength > limit {
		return nil, &http.MaxBytesError{Limit: limit}
	}
	if deadline := readDeadline(r, timeout); !deadline.IsZero() {
		if httpx.SetReadDeadline(w, deadline) == nil {
			// Lifted once the body is read: a deadline left on the
			// connection would end a long stream (net/http cancels the
			// request's context when its background read times out).
			defer func() {
				if err == nil {
					_ = httpx.SetReadDeadline(w, time.Time{})
				}
			}()
		}
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	if n := r.ContentLength; n >= 0 {
		buf := make([]byte, n+1) // +1 to see EOF without growing
		m, err := io.ReadFull(body, buf)
		switch {
		case err == io.ErrUnexpectedEOF:
			return buf[:m], nil // the body was shorter than announced; net/http reports that itself
		case err != nil:
			return nil, err
		}
		// Longer than announced: net/http refuses that, but read on to be sure.
		rest, err := readBlocks(body)
		if err != nil {
			return nil, err
		}
		return append(buf, rest...), nil
	}
	return readBlocks(body)
}

// readDeadline is when reading r's body must end: timeout from now, or the
// deadline of r's context when that is earlier; zero for no bound.
func readDeadline(r *http.Request, timeout time.Duration) time.Time {
	var t time.Time
	if timeout > 0 {
		t = time.Now().Add(timeout)
	}
	if d, ok := r.Context().Deadline(); ok && (t.IsZero() || d.Before(t)) {
		t = d
	}
	return t
}

// readBlocks reads a body of unknown length in fixed blocks, then copies
// them into one slice of the exact size: the body costs at most twice its
// size while it is assembled, and a body refused at the limit no more than
// the limit (growing one slice by doubling costs three times as much).
func readBlocks(r io.Reader) ([]byte, error) {
	const block = 64 << 10
	var blocks [][]byte
	total := 0
	for {
		b := make([]byte, block)
		n, err := io.ReadFull(r, b)
		blocks, total = append(blocks, b[:n]), total+n
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if len(blocks) == 1 {
		return blocks[0], nil
	}
	out := make([]byte, 0, total)
	for _, b := range blocks {
		out = append(out, b...)
	}
	return out, nil
}

// largeBody is the size from which a body is decoded by encoding/json:
// goccy/go-json first copies its input, which would make a large body cost
// three times its size while it is decoded instead of twice (the body, kept
// as Raw, and the strings decoded from it). The two decoders agree on
// every input the strict pass lets through (FuzzDecodeDifferential).
const largeBody = 1 << 20

func unmarshal(data []byte, v any) error {
	if len(data) >= largeBody {
		return json.Unmarshal(data, v)
	}
	return gojson.Unmarshal(data, v)
}

// typeErrorFunc words the error for a field of the wrong type: param is
// its path (messages[0].content), want and got describe the types
// ("an array", "a string").
type typeErrorFunc func(param, want, got string) *Error

// openAITypeError is OpenAI's wording of a field of the wrong type.
func openAITypeError(param, want, got string) *Error {
	e := InvalidRequest(param, "Invalid type for '%s': expected %s, but got %s instead.", param, want, got)
	e.Code = "invalid_type"
	return e
}

// decodeRequest decodes data, which must be a JSON object, into v (a pointer
// to a request struct) and returns the fields v's type does not model. A
// field of the wrong type is reported by typeErr (nil: openAITypeError).
func decodeRequest(data []byte, v any, typeErr typeErrorFunc) (map[string]json.RawMessage, error) {
	if jsonx.FirstByte(data) != '{' {
		if json.Valid(data) {
			return nil, InvalidRequest("", "Invalid body: expected a JSON object.")
		}
		return nil, errNotJSON
	}
	if !utf8.Valid(data) {
		// encoding/json would replace bad bytes with U+FFFD and goccy would
		// keep them; refusing is the only answer both agree on.
		return nil, InvalidRequest("", "The request body is not valid UTF-8.")
	}
	if req, isChat := v.(*ChatRequest); isChat && len(data) < largeBody {
		if extra, ok := decodeChatFast(data, req); ok {
			return extra, nil
		}
		*req = ChatRequest{}
	}
	return decodeGeneral(data, v, typeErr)
}

// decodeGeneral is decodeRequest for any request type, through reflection,
// once data is known to be a UTF-8 JSON object.
func decodeGeneral(data []byte, v any, typeErr typeErrorFunc) (map[string]json.RawMessage, error) {
	t := reflect.TypeOf(v).Elem()
	known := knownFields(t)
	extra, err := extraFields(data, known)
	if err != nil {
		return nil, decodeError(data, t, typeErr)
	}
	for name := range extra {
		if _, ok := known[strings.ToLower(name)]; ok {
			// Field names match exactly, as at OpenAI. (A case-insensitive
			// match, as encoding/json does, is not what goccy/go-json does
			// reliably on large structs; rejecting is consistent.)
			return nil, InvalidRequest(name, "Unrecognized request argument supplied: %s", name)
		}
	}
	if err := unmarshal(data, v); err != nil {
		return nil, decodeError(data, t, typeErr)
	}
	return extra, nil
}

// decodeError explains why data did not decode into t: malformed JSON, or the
// first field whose type does not match, as OpenAI reports it. It runs only
// on the error path, so it may be slow.
func decodeError(data []byte, t reflect.Type, typeErr typeErrorFunc) error {
	var generic any
	if err := json.Unmarshal(data, &generic); err != nil {
		return errNotJSON
	}
	if param, want, got, ok := mismatch(t, generic, ""); ok {
		if typeErr == nil {
			typeErr = openAITypeError
		}
		return typeErr(param, want, got)
	}
	return InvalidRequest("", "Invalid request body.")
}

var (
	rawMessageType  = reflect.TypeOf(json.RawMessage{})
	unmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
)

// mismatch walks a generically decoded value v against type t and returns the
// path of the first value that t cannot hold.
func mismatch(t reflect.Type, v any, path string) (param, want, got string, ok bool) {
	if v == nil {
		return "", "", "", false // null is always accepted
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == rawMessageType {
		return "", "", "", false
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		raw, _ := json.Marshal(v)
		if err := gojson.Unmarshal(raw, reflect.New(t).Interface()); err == nil {
			return "", "", "", false
		}
		// Find the value at fault inside a union that holds a list of
		// typed elements, or in the fields of a struct that decodes itself.
		if arr, isArr := v.([]any); isArr && listElem[t] != nil {
			for i, ev := range arr {
				if p, w, g, bad := mismatch(listElem[t], ev, path+"["+strconv.Itoa(i)+"]"); bad {
					return p, w, g, true
				}
			}
		}
		if obj, isObj := v.(map[string]any); isObj && fieldsDecoded[t] {
			if p, w, g, bad := mismatchFields(t, obj, path); bad {
				return p, w, g, true
			}
		}
		return path, unionDescription(t), jsonKind(v), true
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, isObj := v.(map[string]any)
		if !isObj {
			return path, "an object", jsonKind(v), true
		}
		return mismatchFields(t, obj, path)
	case reflect.Slice:
		arr, isArr := v.([]any)
		if !isArr {
			return path, "an array", jsonKind(v), true
		}
		for i, ev := range arr {
			if p, w, g, bad := mismatch(t.Elem(), ev, path+"["+strconv.Itoa(i)+"]"); bad {
				return p, w, g, true
			}
		}
	case reflect.Map:
		obj, isObj := v.(map[string]any)
		if !isObj {
			return path, "an object", jsonKind(v), true
		}
		for k, ev := range obj {
			if p, w, g, bad := mismatch(t.Elem(), ev, joinPath(path, k)); bad {
				return p, w, g, true
			}
		}
	case reflect.String:
		if _, isStr := v.(string); !isStr {
			return path, "a string", jsonKind(v), true
		}
	case reflect.Bool:
		if _, isBool := v.(bool); !isBool {
			return path, "a boolean", jsonKind(v), true
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		f, isNum := v.(float64)
		if !isNum {
			return path, "an integer", jsonKind(v), true
		}
		if f != float64(int64(f)) {
			return path, "an integer", "a decimal", true
		}
	case reflect.Float64, reflect.Float32:
		if _, isNum := v.(float64); !isNum {
			return path, "a number", jsonKind(v), true
		}
	}
	return "", "", "", false
}

// mismatchFields checks the members of obj against the fields of struct t.
func mismatchFields(t reflect.Type, obj map[string]any, path string) (param, want, got string, ok bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := jsonName(f)
		if name == "" {
			continue
		}
		if fv, present := obj[name]; present {
			if p, w, g, bad := mismatch(f.Type, fv, joinPath(path, name)); bad {
				return p, w, g, true
			}
		}
	}
	return "", "", "", false
}

// listElem maps the union types that may hold a list to the type of its
// elements, and fieldsDecoded lists the structs whose UnmarshalJSON decodes
// their fields as usual (keeping the bytes besides): mismatch looks inside
// both to name the value at fault.
var (
	listElem = map[reflect.Type]reflect.Type{
		reflect.TypeOf(anthropic.Content{}): reflect.TypeOf(anthropic.ContentBlock{}),
	}
	fieldsDecoded = map[reflect.Type]bool{
		reflect.TypeOf(anthropic.ContentBlock{}): true,
		reflect.TypeOf(anthropic.Tool{}):         true,
	}
)

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func unionDescription(t reflect.Type) string {
	switch t {
	case reflect.TypeOf(MessageContent{}), reflect.TypeOf(responses.Input{}), reflect.TypeOf(responses.Content{}), reflect.TypeOf(anthropic.Content{}):
		return "one of a string or array of objects"
	case reflect.TypeOf(Stop{}):
		return "one of a string or array of strings"
	case reflect.TypeOf(ToolChoice{}), reflect.TypeOf(responses.ToolChoice{}):
		return "one of a string or object"
	case reflect.TypeOf(EmbeddingInput{}):
		return "one of a string, array of strings, array of integers or array of arrays of integers"
	}
	return "a valid value"
}

func jsonKind(v any) string {
	switch x := v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64:
		if x == float64(int64(x)) {
			return "an integer"
		}
		return "a decimal"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "null"
}

func jsonName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	if tag == "-" || !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		return f.Name
	}
	return name
}

var knownCache sync.Map // reflect.Type -> map[string]struct{}

// knownFields returns the JSON names of t's fields.
func knownFields(t reflect.Type) map[string]struct{} {
	if m, ok := knownCache.Load(t); ok {
		return m.(map[string]struct{})
	}
	m := map[string]struct{}{}
	for i := 0; i < t.NumField(); i++ {
		if name := jsonName(t.Field(i)); name != "" {
			m[name] = struct{}{}
		}
	}
	knownCache.Store(t, m)
	return m
}

// requestError turns a body-reading error into the error to answer. An
// *[Error] from the body reader (a router adapter's translation of its own
// body-limit error, say) is answered as is.
func requestError(err error) error {
	var mb *http.MaxBytesError
	var e *Error
	if errors.As(err, &mb) || errors.As(err, &e) {
		return AsError(err)
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded) {
		return &Error{Status: http.StatusRequestTimeout, Type: TypeInvalidRequest, Code: "request_timeout",
			Message: "Timed out reading the request body.", Header: http.Header{"Connection": {"close"}}}
	}
	return InvalidRequest("", "%s", fmt.Sprintf("Could not read the request body: %v", err))
}
