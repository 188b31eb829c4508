package oaicompat

import (
	"context"
	"net/http"
)

// models returns the backend's models, or those given with [WithModels].
func (h *Handler) models(ctx context.Context) ([]Model, error) {
	var models []Model
	if ml, ok := h.backend.(ModelLister); ok {
		if err := call(func() (err error) { models, err = ml.ListModels(ctx); return err }); err != nil {
			return nil, err
		}
	} else {
		models = h.cfg.models
	}
	out := make([]Model, len(models))
	for i, m := range models {
		if m.Object == "" {
			m.Object = "model"
		}
		if m.OwnedBy == "" {
			m.OwnedBy = "system"
		}
		if m.Created == 0 {
			m.Created = h.created
		}
		out[i] = m
	}
	return out, nil
}

type modelList struct {
	Object string  `json:"object"`
	Data   []Model `json:"data"`
}

// serveListModels is GET /v1/models, in the Anthropic shape for an
// Anthropic client (see models_anthropic.go).
func (h *Handler) serveListModels(w http.ResponseWriter, r *http.Request) {
	if ci := CallInfoFromContext(r.Context()); ci != nil {
		ci.Endpoint = "models.list"
	}
	models, err := h.models(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if wantsAnthropicModels(r) {
		page, err := anthropicModelPage(r, models)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, page)
		return
	}
	writeJSON(w, http.StatusOK, modelList{Object: "list", Data: models})
}

// serveGetModel is GET /v1/models/{model}.
func (h *Handler) serveGetModel(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("model")
	if id == "" {
		id = lastSegment(r.URL.Path)
	}
	if ci := CallInfoFromContext(r.Context()); ci != nil {
		ci.Endpoint, ci.Model = "models.retrieve", id
	}
	models, err := h.models(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, m := range models {
		if m.ID != id {
			continue
		}
		if wantsAnthropicModels(r) {
			writeJSON(w, http.StatusOK, anthropicModel(m))
		} else {
			writeJSON(w, http.StatusOK, m)
		}
		return
	}
	h.fail(w, r, ModelNotFound(id))
}
