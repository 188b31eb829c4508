package anthropic

// Error types, the "type" of an ErrorObject, with the HTTP status each is
// sent with.
const (
	ErrInvalidRequest  = "invalid_request_error" // 400, and 4xx statuses not listed here
	ErrAuthentication  = "authentication_error"  // 401
	ErrBilling         = "billing_error"         // 402
	ErrPermission      = "permission_error"      // 403
	ErrNotFound        = "not_found_error"       // 404
	ErrRequestTooLarge = "request_too_large"     // 413
	ErrRateLimit       = "rate_limit_error"      // 429
	ErrAPI             = "api_error"             // 500, and 5xx statuses not listed here
	ErrTimeout         = "timeout_error"         // 504
	ErrOverloaded      = "overloaded_error"      // 529
)

// ErrorResponse is the body of an error answer, and the data of a stream's
// error event:
//
//	{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"},"request_id":"req_..."}
type ErrorResponse struct {
	Type      string      `json:"type"` // "error"
	Error     ErrorObject `json:"error"`
	RequestID string      `json:"request_id,omitempty"`
}

// ErrorObject is ErrorResponse.Error.
type ErrorObject struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}
