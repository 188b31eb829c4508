package main

import "strings"

// requestTemplate is a ~1 KB chat request as SDKs send it (the one of the
// root package's BenchmarkDecodeValidate); MODEL and STREAM are replaced
// (a stream asks for the usage chunk).
const requestTemplate = `{"model":"MODEL","messages":[` +
	`{"role":"system","content":"You are a helpful assistant that answers questions about the weather and travel. Keep answers short and cite sources when you can."},` +
	`{"role":"user","content":"What is the weather like in Paris in spring, and what should I pack for a week of walking tours around the city?"},` +
	`{"role":"assistant","content":null,"tool_calls":[{"id":"call_abc123","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\",\"month\":\"April\"}"}}]},` +
	`{"role":"tool","tool_call_id":"call_abc123","content":"{\"avg_high_c\":16,\"avg_low_c\":7,\"rain_days\":9}"},` +
	`{"role":"user","content":[{"type":"text","text":"Also, is it usually crowded at the Louvre in April?"}]}],` +
	`"tools":[{"type":"function","function":{"name":"get_weather","description":"Get typical weather for a city and month","parameters":{"type":"object","properties":{"city":{"type":"string"},"month":{"type":"string"}},"required":["city","month"],"additionalProperties":false},"strict":true}}],` +
	`"tool_choice":"auto","temperature":0.7,"top_p":1,"max_completion_tokens":512,"stream":STREAM,"user":"user-1234"}`

// requestBody is the load request; model "" is gpt-4o-mini.
func requestBody(stream bool, model string) []byte {
	if model == "" {
		model = "gpt-4o-mini"
	}
	s := strings.Replace(requestTemplate, "MODEL", model, 1)
	st := "false"
	if stream {
		st = `true,"stream_options":{"include_usage":true}`
	}
	return []byte(strings.Replace(s, "STREAM", st, 1))
}
