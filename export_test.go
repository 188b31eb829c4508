package oaicompat

// Internals the external tests check directly.

// ValidateChat validates r as the handler does.
func ValidateChat(r *ChatRequest) error { return r.validate() }
