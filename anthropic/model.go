package anthropic

// ModelInfo is a model as GET /v1/models lists it and
// GET /v1/models/{model_id} answers it.
type ModelInfo struct {
	Type        string `json:"type"` // always "model"
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	CreatedAt   string `json:"created_at"` // RFC 3339
	// Lifecycle is "active", "deprecated" or "retired"; DeprecatedAt (RFC
	// 3339) is null while the model is active.
	Lifecycle    string  `json:"lifecycle"`
	DeprecatedAt *string `json:"deprecated_at"`
}

// ModelList is a page of GET /v1/models: FirstID and LastID name the
// page's ends (null when it is empty), HasMore says whether a page follows
// in the direction asked for.
type ModelList struct {
	Data    []ModelInfo `json:"data"`
	HasMore bool        `json:"has_more"`
	FirstID *string     `json:"first_id"`
	LastID  *string     `json:"last_id"`
}
