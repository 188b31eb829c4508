package oaicompat

// Internals the external tests check directly.

// ValidateChat validates r as the handler does.
func ValidateChat(r *ChatRequest) error { return r.validate() }

// DecodeChat decodes a chat request body as the handler does.
func DecodeChat(body []byte) (ChatRequest, error) {
	var r ChatRequest
	_, err := decodeRequest(body, &r, nil)
	return r, err
}
