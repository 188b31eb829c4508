package oaicompat

import (
	"encoding/json"
	"net/http"
	"strconv"

	gojson "github.com/goccy/go-json"
	"github.com/oaicompat/oaicompat/internal/jsonx"
	"github.com/oaicompat/oaicompat/responses"
)

// responsesDialect is POST /v1/responses: handed to a [Responder] backend
// as is, or translated onto the chat [Backend] (history from
// previous_response_id included) and run into a responseSink.
type responsesDialect struct{ req responses.Request }

func (d *responsesDialect) endpoint() string                           { return "responses" }
func (d *responsesDialect) target() any                                { return &d.req }
func (d *responsesDialect) writeError(w http.ResponseWriter, e *Error) { WriteError(w, e) }

func (d *responsesDialect) prepare(raw []byte, extra map[string]json.RawMessage, model string) (requestInfo, error) {
	r := &d.req
	r.Raw, r.Extra = raw, extra
	if model != "" {
		r.Model = model
	}
	return requestInfo{model: r.Model, stream: r.Stream, maxOutput: responsesMaxOutput(r)}, validateResponses(r)
}

func (d *responsesDialect) answer(x *exchange) (answer, error) {
	req, h := &d.req, x.h
	if rs, ok := h.backend.(Responder); ok {
		return newResponderAnswer(x, rs, req), nil
	}
	ctx, owner := x.r.Context(), h.owner(x.r)
	history, err := h.history(ctx, owner, req.PreviousResponseID)
	if err != nil {
		return nil, err
	}
	if err := h.resolveReferences(ctx, owner, req); err != nil {
		return nil, err
	}
	chat, err := responsesToChat(req, history)
	if err == nil {
		err = chat.validate()
	}
	if err != nil {
		return nil, err
	}
	store := h.cfg.store != nil && req.Stores()
	skel := responseSkeleton(req, h.cfg.ids("resp_"), h.cfg.now().Unix(), store)
	s := newResponseSink(x.es, skel, h.cfg.ids)
	s.w, s.now = x.w, h.cfg.now
	if store {
		s.keep = func(resp *responses.Response) { h.storeResponse(ctx, owner, req, resp) }
	}
	return x.translated(s, chat), nil
}

// responseSkeleton is the Response echoing the request, before any output.
func responseSkeleton(req *responses.Request, id string, created int64, store bool) *responses.Response {
	resp := &responses.Response{
		ID: id, Object: "response", CreatedAt: created, Status: responses.StatusInProgress,
		Instructions: req.Instructions, MaxOutputTokens: req.MaxOutputTokens, MaxToolCalls: req.MaxToolCalls,
		Model: req.Model, Output: []responses.OutputItem{}, ParallelToolCalls: req.ParallelToolCalls == nil || *req.ParallelToolCalls,
		ServiceTier: "default", Store: store, Temperature: 1, TopP: 1, Truncation: "disabled",
		ToolChoice: responses.ToolChoice{Mode: ToolChoiceAuto}, Tools: make([]gojson.RawMessage, 0, len(req.Tools)),
		Metadata: req.Metadata, SafetyIdentifier: req.SafetyIdentifier, PromptCacheKey: req.PromptCacheKey,
		Text: responses.TextConfig{Format: &responses.TextFormat{Type: "text"}, Verbosity: "medium"},
	}
	if req.PreviousResponseID != "" {
		resp.PreviousResponseID = &req.PreviousResponseID
	}
	if req.Background != nil {
		resp.Background = *req.Background
	}
	if req.ServiceTier != "" && req.ServiceTier != "auto" {
		resp.ServiceTier = req.ServiceTier
	}
	if req.Temperature != nil {
		resp.Temperature = *req.Temperature
	}
	if req.TopP != nil {
		resp.TopP = *req.TopP
	}
	if req.TopLogprobs != nil {
		resp.TopLogprobs = *req.TopLogprobs
	}
	if req.Truncation != "" {
		resp.Truncation = req.Truncation
	}
	if req.ToolChoice != nil {
		resp.ToolChoice = *req.ToolChoice
	}
	if req.Text != nil {
		if req.Text.Format != nil {
			resp.Text.Format = req.Text.Format
		}
		if req.Text.Verbosity != "" {
			resp.Text.Verbosity = req.Text.Verbosity
		}
	}
	if req.Reasoning != nil {
		resp.Reasoning = responses.Reasoning{Effort: req.Reasoning.Effort, Summary: req.Reasoning.Summary}
	}
	if req.User != "" {
		resp.User = &req.User
	}
	if resp.Metadata == nil {
		resp.Metadata = map[string]string{}
	}
	for i := range req.Tools {
		resp.Tools = append(resp.Tools, echoTool(&req.Tools[i]))
	}
	return resp
}

// echoTool is a request tool as the Response lists it: function tools with
// every required field (parameters and strict null when not given).
func echoTool(t *responses.Tool) gojson.RawMessage {
	if t.Type != "function" {
		if len(t.Raw) > 0 {
			return t.Raw
		}
		b, _ := gojson.Marshal(t)
		return b
	}
	b := append([]byte(nil), `{"type":"function","name":`...)
	b = jsonx.AppendString(b, t.Name)
	b = append(b, `,"description":`...)
	b = jsonx.AppendNullableString(b, t.Description)
	b = append(b, `,"parameters":`...)
	if len(t.Parameters) > 0 {
		b = append(b, t.Parameters...)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"strict":`...)
	if t.Strict != nil {
		b = strconv.AppendBool(b, *t.Strict)
	} else {
		b = append(b, "null"...)
	}
	return append(b, '}')
}
