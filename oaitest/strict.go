package oaitest

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/responses"
)

// checkStrict refuses unknown fields, which the real API refuses and the
// handler keeps for backends (every other rule of the real API is the
// shared validator's). A violation fails the test and is answered with
// OpenAI's 400.
func (m *Mock) checkStrict(r *Request) error {
	if m.cfg.lenient {
		return nil
	}
	var e *oaicompat.Error
	if !m.cfg.allowUnknown {
		e = unknownFields(r)
	}
	if e == nil {
		return nil
	}
	where := e.Param
	if where == "" {
		where = "request"
	}
	m.fail("oaitest: request #%d %s %s violates the API: %s: %s", r.Seq, r.Method, r.Path, where, e.Message)
	return e
}

// messagesFields are the Anthropic Messages request fields a chat request
// has no field for.
var messagesFields = map[string]bool{"top_k": true, "thinking": true, "output_config": true, "service_tier": true,
	"container": true, "cache_control": true, "inference_geo": true, "speed": true, "diagnostics": true,
	"context_management": true, "mcp_servers": true}

func unknownFields(r *Request) *oaicompat.Error {
	var extra map[string]json.RawMessage
	switch {
	case r.Messages != nil && r.Chat != nil:
		// The translation keeps the Messages fields chat has no field for.
		extra = map[string]json.RawMessage{}
		for k, v := range r.Chat.Extra {
			if !messagesFields[k] {
				extra[k] = v
			}
		}
	case r.Chat != nil:
		extra = r.Chat.Extra
	case r.Embedding != nil:
		extra = r.Embedding.Extra
	case r.Image != nil:
		extra = r.Image.Extra
	}
	if len(extra) == 0 {
		return nil
	}
	names := make([]string, 0, len(extra))
	for k := range extra {
		if r.API == "responses" && responsesFields[k] {
			continue // a Responses field chat has no field for
		}
		names = append(names, k)
	}
	if len(names) == 0 {
		return nil
	}
	sort.Strings(names)
	// OpenAI sends param null here; the message names the field.
	e := oaicompat.InvalidRequest("", "Unrecognized request argument supplied: %s", strings.Join(names, ", "))
	return e
}

// responsesFields are the fields of a Responses request: the translation
// carries those chat has no field for (store, previous_response_id,
// include, ...) in ChatRequest.Extra, and they are not unknown.
var responsesFields = func() map[string]bool {
	fields := map[string]bool{}
	t := reflect.TypeFor[responses.Request]()
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			fields[name] = true
		}
	}
	return fields
}()
