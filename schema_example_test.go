package oaicompat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/oaicompat/oaicompat"
)

// Weather are the arguments of a get_weather tool.
type Weather struct {
	City string  `json:"city" jsonschema:"description=City name"`
	Unit *string `json:"unit" jsonschema:"enum=celsius,enum=fahrenheit"`
}

func ExampleFunctionTool() {
	tool := oaicompat.FunctionTool[Weather]("get_weather", "Current weather in a city.")
	b, _ := json.Marshal(tool)
	fmt.Println(string(b))
	// Output:
	// {"type":"function","function":{"name":"get_weather","description":"Current weather in a city.","parameters":{"properties":{"city":{"type":"string","description":"City name"},"unit":{"enum":["celsius","fahrenheit",null],"type":["string","null"]}},"additionalProperties":false,"type":"object","required":["city","unit"]},"strict":true}}
}

// Report is a structured reply.
type Report struct {
	Summary string   `json:"summary"`
	Score   int      `json:"score" jsonschema:"minimum=0,maximum=10"`
	Tags    []string `json:"tags"`
}

func ExampleResponseFormatFor() {
	// A backend sees what the client asked for in req.ResponseFormat; a
	// client (or a test) builds the request with the same type.
	rf := oaicompat.ResponseFormatFor[Report]("report")
	b, _ := json.Marshal(rf)
	fmt.Println(string(b))
	// The Responses API takes the same schema, flat, as text.format.
	var tf map[string]any
	_ = json.Unmarshal(oaicompat.TextFormatFor[Report]("report"), &tf)
	fmt.Println(tf["type"], tf["name"], tf["strict"], tf["schema"] != nil)
	// Output:
	// {"type":"json_schema","json_schema":{"name":"report","schema":{"properties":{"summary":{"type":"string"},"score":{"type":"integer","maximum":10,"minimum":0},"tags":{"items":{"type":"string"},"type":"array"}},"additionalProperties":false,"type":"object","required":["summary","score","tags"]},"strict":true}}
	// json_schema report true true
}

func ExampleDecode() {
	args, err := oaicompat.Decode[Weather](`{"city":"Lisbon","unit":null}`)
	fmt.Println(args.City, args.Unit == nil, err)
	_, err = oaicompat.Decode[Weather](`{"city":"Lisbon","unit":"kelvin"}`)
	fmt.Println(err)
	// Output:
	// Lisbon true <nil>
	// oaicompat: decode oaicompat_test.Weather: at '/unit': value must be one of 'celsius', 'fahrenheit', null
}

// Models like to wrap JSON in a Markdown fence; a repair hook can strip it,
// and the handler checks the result again before sending it.
func ExampleWithOutputRepair() {
	backend := oaicompat.ChatFunc(func(_ context.Context, _ *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		return w.WriteText("```json\n{\"summary\":\"ok\",\"score\":7,\"tags\":[]}\n```")
	})
	repair := func(_ context.Context, _ *oaicompat.ChatRequest, v *oaicompat.Violation) (string, error) {
		if v.Kind != oaicompat.ViolationContent {
			return "", nil
		}
		s := strings.TrimPrefix(strings.TrimSpace(v.Output), "```json")
		return strings.TrimSpace(strings.TrimSuffix(s, "```")), nil
	}
	h := oaicompat.NewHandler(backend, oaicompat.WithOutputRepair(repair))

	body, _ := json.Marshal(map[string]any{"model": "m", "messages": []map[string]string{{"role": "user", "content": "rate it"}},
		"response_format": oaicompat.ResponseFormatFor[Report]("report")})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/chat/completions", bytes.NewReader(body)))
	var out struct {
		Choices []struct {
			Message struct{ Content string }
		}
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	fmt.Println(rec.Code, out.Choices[0].Message.Content)
	// Output:
	// 200 {"summary":"ok","score":7,"tags":[]}
}
