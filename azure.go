package oaicompat

import (
	"context"
	"fmt"
	"net/http"
)

// WithAzure makes the Handler also answer the Azure OpenAI URL shapes, so
// that code written against Azure (the AzureOpenAI clients of the official
// SDKs, azure.WithEndpoint in openai-go) works unchanged:
//
//	POST /openai/deployments/{deployment}/chat/completions?api-version=...
//	POST /openai/deployments/{deployment}/completions?api-version=...
//	POST /openai/deployments/{deployment}/embeddings?api-version=...
//	POST /openai/deployments/{deployment}/images/generations?api-version=...
//	     /openai/{responses,models,...}?api-version=...   every route of /v1
//	     /openai/v1/...                                   every route of /v1, api-version optional
//
// On the deployment paths the model is the deployment's, whatever the body
// says: deploymentModel maps a deployment name to a model (nil uses the
// deployment name as the model); an empty result answers 404
// DeploymentNotFound, as Azure does. The classic /openai/... paths need an
// api-version query parameter (any value); without one they answer 404, as
// Azure does. The /openai/v1/ paths, like Azure's v1 API, do not.
//
// Authentication (Azure's api-key header) is the auth middleware's job;
// these routes pass every header through.
func WithAzure(deploymentModel func(deployment string) string) Option {
	if deploymentModel == nil {
		deploymentModel = func(d string) string { return d }
	}
	return func(c *config) { c.azure = deploymentModel }
}

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
