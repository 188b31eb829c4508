package oaicompat

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/oaicompat/oaicompat/anthropic"
)

// Clients of the Anthropic API list models on the same path as OpenAI's
// (GET /v1/models), and every one of its SDKs sends an anthropic-version
// header: such a request gets the Anthropic shape, a page of
// [anthropic.ModelInfo] chosen by the limit (1 to 1000, default 20),
// after_id and before_id query parameters.

const (
	anthropicDefaultLimit = 20
	anthropicMaxLimit     = 1000
)

// wantsAnthropicModels reports whether r comes from an Anthropic client.
func wantsAnthropicModels(r *http.Request) bool {
	return r.Header.Get("Anthropic-Version") != ""
}

// anthropicModel is m in the Anthropic shape: active, its display name its
// id.
func anthropicModel(m Model) anthropic.ModelInfo {
	return anthropic.ModelInfo{Type: "model", ID: m.ID, DisplayName: m.ID, Lifecycle: "active",
		CreatedAt: time.Unix(m.Created, 0).UTC().Format(time.RFC3339)}
}

// anthropicModelPage is the page of models r asks for.
func anthropicModelPage(r *http.Request, models []Model) (anthropic.ModelList, error) {
	q := r.URL.Query()
	limit := anthropicDefaultLimit
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > anthropicMaxLimit {
			return anthropic.ModelList{}, InvalidRequest("limit",
				"limit: Input should be an integer between 1 and %d", anthropicMaxLimit)
		}
		limit = n
	}
	index := func(id string) int { return slices.IndexFunc(models, func(m Model) bool { return m.ID == id }) }
	var lo, hi int
	switch after, before := q.Get("after_id"), q.Get("before_id"); {
	case after != "" && before != "":
		return anthropic.ModelList{}, InvalidRequest("after_id", "after_id: cannot be combined with before_id")
	case after != "":
		lo = index(after) + 1 // an unknown id (-1) lists from the start
		hi = min(lo+limit, len(models))
	case before != "":
		if hi = index(before); hi < 0 {
			hi = len(models)
		}
		lo = max(hi-limit, 0)
	default:
		hi = min(limit, len(models))
	}
	page := anthropic.ModelList{Data: make([]anthropic.ModelInfo, 0, hi-lo)}
	for _, m := range models[lo:hi] {
		page.Data = append(page.Data, anthropicModel(m))
	}
	if q.Get("before_id") != "" {
		page.HasMore = lo > 0
	} else {
		page.HasMore = hi < len(models)
	}
	if n := len(page.Data); n > 0 {
		page.FirstID, page.LastID = &page.Data[0].ID, &page.Data[n-1].ID
	}
	return page, nil
}
