package oaicompat

import (
	"context"
	"fmt"
	"net/http"
)

// azureDeploymentPaths are the endpoints Azure serves under a deployment.
var azureDeploymentPaths = map[string]bool{
	"/chat/completions": true, "/completions": true, "/embeddings": true, "/images/generations": true,
}

// mountAzure registers the Azure routes.
func (h *Handler) mountAzure() {
	h.mount("/openai/v1", nil, h.endpoints())
	h.mount("/openai", h.requireAPIVersion, h.endpoints())
	for _, ep := range h.endpoints() {
		if ep.method != http.MethodPost || !azureDeploymentPaths[ep.path] {
			continue
		}
		p := "/openai/deployments/{deployment}" + ep.path
		h.mux.Handle(ep.method+" "+p, h.recover(h.requireAPIVersion(h.deployment(ep.serve))))
		h.mux.Handle(p, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", http.MethodPost)
			WriteError(w, &Error{Status: http.StatusMethodNotAllowed, Type: TypeInvalidRequest, Code: "method_not_allowed", Message: fmt.Sprintf("Method %s not allowed for %s; use POST.", r.Method, r.URL.Path)})
		}))
	}
}

// requireAPIVersion answers 404 when the api-version query parameter is
// missing, as Azure does.
func (h *Handler) requireAPIVersion(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("api-version") == "" {
			h.fail(w, r, &Error{Status: http.StatusNotFound, Type: TypeInvalidRequest, Code: "404", Param: "api-version", Message: "Resource not found: Azure OpenAI paths need the api-version query parameter."})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// deployment resolves {deployment} to a model for the request's decoder.
func (h *Handler) deployment(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dep := r.PathValue("deployment")
		model := h.cfg.azure(dep)
		if model == "" {
			h.fail(w, r, &Error{Status: http.StatusNotFound, Type: TypeInvalidRequest, Code: "DeploymentNotFound", Message: fmt.Sprintf("The API deployment for this resource does not exist: '%s'.", dep)})
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), modelOverrideKey{}, model)))
	})
}
