package relay

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/oaicompat/oaicompat"
)

// errorBodyLimit bounds how much of an upstream error body is read.
const errorBodyLimit = 1 << 20

// upstreamError turns an upstream error body into the error the client
// sees: the upstream's status, type, code, param and message, unchanged.
// It understands OpenAI's envelope {"error":{...}}, a bare string error
// ({"error":"..."}, LM Studio) and flat bodies ({"message","type","code"},
// vLLM before 0.10; {"detail":"..."}, FastAPI). A missing type is filled in
// from the status; a numeric code becomes its decimal string (the wire
// allows only a string or null); a body that is not JSON is not echoed.
func upstreamError(status int, body []byte) *oaicompat.Error {
	e := &oaicompat.Error{Status: status}
	var env struct {
		Error   json.RawMessage `json:"error"`
		Message json.RawMessage `json:"message"`
		Type    json.RawMessage `json:"type"`
		Code    json.RawMessage `json:"code"`
		Param   json.RawMessage `json:"param"`
		Detail  json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(body, &env) == nil {
		fields := env
		if len(env.Error) > 0 && env.Error[0] == '{' {
			_ = json.Unmarshal(env.Error, &fields)
		} else if len(env.Error) > 0 && env.Error[0] == '"' {
			fields.Message = env.Error
		}
		e.Message = jsonText(fields.Message)
		if e.Message == "" {
			e.Message = jsonText(env.Detail)
		}
		e.Type, e.Code, e.Param = jsonText(fields.Type), jsonText(fields.Code), jsonText(fields.Param)
	}
	if e.Type == "" {
		e.Type = defaultType(status)
	}
	if e.Message == "" {
		e.Message = fmt.Sprintf("The upstream server answered %d %s.", status, http.StatusText(status))
	}
	return e
}

// inBandError turns the error member of a stream event into an error; its
// status follows its type (there is none on the wire).
func inBandError(raw json.RawMessage) *oaicompat.Error {
	e := upstreamError(http.StatusInternalServerError, append(append([]byte(`{"error":`), raw...), '}'))
	switch classifyInBand(e.Type, e.Code) {
	case classRateLimit:
		e.Status = http.StatusTooManyRequests
	case classFatal:
		e.Status = http.StatusBadRequest
	case classAuth:
		e.Status = http.StatusForbidden
	}
	return e
}

// jsonText returns a JSON string's text, a number's decimal form, or "".
func jsonText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		var n json.Number
		if json.Unmarshal(raw, &n) == nil {
			if i, err := n.Int64(); err == nil {
				return strconv.FormatInt(i, 10)
			}
			return n.String()
		}
	}
	return ""
}

// defaultType is OpenAI's error type for a status.
func defaultType(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return oaicompat.TypeRateLimit
	case status == http.StatusForbidden:
		return oaicompat.TypeForbidden
	case status >= 500:
		return oaicompat.TypeServerError
	}
	return oaicompat.TypeInvalidRequest
}
