package relay

import "testing"

func TestUpstreamError(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		status                int
		body                  string
		msg, typ, code, param string
	}{
		{"OpenAI envelope", 400, `{"error":{"message":"bad","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}`,
			"bad", "invalid_request_error", "context_length_exceeded", "messages"},
		{"null param and code", 500, `{"error":{"message":"boom","type":"server_error","param":null,"code":null}}`, "boom", "server_error", "", ""},
		{"numeric code", 400, `{"error":{"message":"m","type":"BadRequestError","code":400}}`, "m", "BadRequestError", "400", ""},
		{"string error (LM Studio)", 400, `{"error":"model not loaded"}`, "model not loaded", "invalid_request_error", "", ""},
		{"flat (old vLLM)", 400, `{"object":"error","message":"flat","type":"BadRequestError","code":400}`, "flat", "BadRequestError", "400", ""},
		{"detail (FastAPI)", 422, `{"detail":"field required"}`, "field required", "invalid_request_error", "", ""},
		{"not JSON", 502, `<html>Bad Gateway</html>`, "The upstream server answered 502 Bad Gateway.", "server_error", "", ""},
		{"empty 429", 429, ``, "The upstream server answered 429 Too Many Requests.", "requests", "", ""},
		{"403 without type", 403, `{"error":{"message":"no"}}`, "no", "request_forbidden", "", ""},
	} {
		e := upstreamError(tc.status, []byte(tc.body))
		if e.Status != tc.status || e.Message != tc.msg || e.Type != tc.typ || e.Code != tc.code || e.Param != tc.param {
			t.Errorf("%s: %+v", tc.name, e)
		}
	}
	if e := inBandError([]byte(`{"message":"slow","type":"requests","code":"rate_limit_exceeded"}`)); e.Status != 429 || e.Message != "slow" {
		t.Errorf("in-band: %+v", e)
	}
}
