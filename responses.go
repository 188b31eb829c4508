package oaicompat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	gojson "github.com/goccy/go-json"
	"github.com/oaicompat/oaicompat/internal/jsonx"
	"github.com/oaicompat/oaicompat/responses"
)

// responsesDialect is POST /v1/responses: handed to a Responder backend
// as is, or translated onto the chat Backend (history from
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
	var history []responses.InputItem
	if req.PreviousResponseID != "" {
		var err error
		if history, err = h.history(x.r.Context(), req.PreviousResponseID); err != nil {
			return nil, err
		}
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
		s.keep = func(resp *responses.Response) { h.storeResponse(x.r, req, resp) }
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

// storeResponse saves a finished response with its input items. A store
// failure is logged; the client still gets its answer.
func (h *Handler) storeResponse(r *http.Request, req *responses.Request, resp *responses.Response) {
	items := req.Input.Items()
	input := make([]responses.InputItem, len(items))
	for i, it := range items {
		input[i] = h.normalizeItem(it)
	}
	if err := h.cfg.store.Put(r.Context(), &responses.Stored{Response: resp, Input: input}); err != nil {
		h.cfg.logger.Error("oaicompat: could not store a response", "id", resp.ID, "error", err)
	}
}

// normalizeItem gives an input item the shape GET .../input_items lists:
// an id, a type, a status and, for messages, a list of parts.
func (h *Handler) normalizeItem(it responses.InputItem) responses.InputItem {
	it.Raw = nil
	switch it.Type {
	case "", "message":
		it.Type = "message"
		if it.ID == "" {
			it.ID = h.cfg.ids("msg_")
		}
		if it.Content.IsString() {
			typ := "input_text"
			if it.Role == RoleAssistant {
				typ = "output_text"
			}
			it.Content = responses.PartsContent(responses.Part{Type: typ, Text: it.Content.Text()})
		}
	case "function_call":
		if it.ID == "" {
			it.ID = h.cfg.ids("fc_")
		}
	case "function_call_output":
		if it.ID == "" {
			it.ID = h.cfg.ids("fco_")
		}
	default:
		if it.ID == "" {
			it.ID = h.cfg.ids("item_")
		}
	}
	if it.Status == "" {
		it.Status = responses.StatusCompleted
	}
	return it
}

// maxChain bounds how many previous responses a conversation may reach back.
const maxChain = 10000

// history resolves previous_response_id into the items of the conversation
// so far, oldest first.
func (h *Handler) history(ctx context.Context, id string) ([]responses.InputItem, error) {
	if h.cfg.store == nil {
		return nil, unsupportedParam("previous_response_id", "'previous_response_id' is not supported: this server keeps no responses (no responses.Store is configured).")
	}
	var chain []*responses.Stored
	for id != "" && len(chain) < maxChain {
		sr, err := h.cfg.store.Get(ctx, id)
		if errors.Is(err, responses.ErrNotFound) {
			e := InvalidRequest("previous_response_id", "Previous response with id '%s' not found.", id)
			e.Code = "previous_response_not_found"
			return nil, e
		}
		if err != nil {
			return nil, err
		}
		chain = append(chain, sr)
		id = ""
		if p := sr.Response.PreviousResponseID; p != nil {
			id = *p
		}
	}
	var items []responses.InputItem
	for i := len(chain) - 1; i >= 0; i-- {
		items = append(items, chain[i].Input...)
		items = append(items, outputAsInput(chain[i].Response.Output)...)
	}
	return items, nil
}

// outputAsInput turns output items into the input items that replay them.
func outputAsInput(out []responses.OutputItem) []responses.InputItem {
	items := make([]responses.InputItem, 0, len(out))
	for _, o := range out {
		switch o.Type {
		case "message":
			parts := make([]responses.Part, 0, len(o.Content))
			for _, c := range o.Content {
				parts = append(parts, responses.Part{Type: c.Type, Text: c.Text, Refusal: c.Refusal})
			}
			if len(parts) == 0 {
				continue
			}
			items = append(items, responses.InputItem{Type: "message", ID: o.ID, Role: RoleAssistant, Status: o.Status, Content: responses.PartsContent(parts...)})
		case "function_call":
			items = append(items, responses.InputItem{Type: "function_call", ID: o.ID, CallID: o.CallID, Name: o.Name, Arguments: o.Arguments, Status: o.Status})
		case "reasoning":
			it := responses.InputItem{Type: "reasoning", ID: o.ID, Summary: []json.RawMessage{}, EncryptedContent: o.EncryptedContent}
			if o.Summary != "" {
				it.Summary = append(it.Summary, append(append([]byte(`{"type":"summary_text","text":`), jsonx.AppendString(nil, o.Summary)...), '}'))
			}
			items = append(items, it)
		}
	}
	return items
}

// storedResponse loads the response named by the path, answering 404 for
// an unknown id.
func (h *Handler) storedResponse(w http.ResponseWriter, r *http.Request) (*responses.Stored, bool) {
	id := r.PathValue("id")
	sr, err := h.cfg.store.Get(r.Context(), id)
	if errors.Is(err, responses.ErrNotFound) {
		err = &Error{Status: http.StatusNotFound, Type: TypeInvalidRequest, Message: fmt.Sprintf("Response with id '%s' not found.", id)}
	}
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	return sr, true
}

// serveGetResponse is GET /v1/responses/{id}.
func (h *Handler) serveGetResponse(w http.ResponseWriter, r *http.Request) {
	if ci := CallInfoFromContext(r.Context()); ci != nil {
		ci.Endpoint = "responses.retrieve"
	}
	if r.URL.Query().Get("stream") == "true" {
		h.fail(w, r, unsupportedParam("stream", "Streaming a stored response is not supported by this server."))
		return
	}
	if sr, ok := h.storedResponse(w, r); ok {
		writeJSON(w, http.StatusOK, sr.Response)
	}
}

// serveDeleteResponse is DELETE /v1/responses/{id}.
func (h *Handler) serveDeleteResponse(w http.ResponseWriter, r *http.Request) {
	if ci := CallInfoFromContext(r.Context()); ci != nil {
		ci.Endpoint = "responses.delete"
	}
	id := r.PathValue("id")
	err := h.cfg.store.Delete(r.Context(), id)
	if errors.Is(err, responses.ErrNotFound) {
		err = &Error{Status: http.StatusNotFound, Type: TypeInvalidRequest, Message: fmt.Sprintf("Response with id '%s' not found.", id)}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Deleted bool   `json:"deleted"`
	}{id, "response", true})
}

// inputItemList is the ResponseItemList object.
type inputItemList struct {
	Object  string                `json:"object"`
	Data    []responses.InputItem `json:"data"`
	FirstID *string               `json:"first_id"`
	LastID  *string               `json:"last_id"`
	HasMore bool                  `json:"has_more"`
}

// serveInputItems is GET /v1/responses/{id}/input_items with limit (1..100,
// default 20), order (asc or desc, default desc) and after (an item id).
func (h *Handler) serveInputItems(w http.ResponseWriter, r *http.Request) {
	if ci := CallInfoFromContext(r.Context()); ci != nil {
		ci.Endpoint = "responses.input_items"
	}
	q := r.URL.Query()
	limit := 20
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			h.fail(w, r, InvalidValue("limit", "Invalid 'limit': expected an integer between 1 and 100, but got '%s'.", s))
			return
		}
		limit = n
	}
	order := q.Get("order")
	if order == "" {
		order = "desc"
	}
	if err := checkEnum("order", order, "asc", "desc"); err != nil {
		h.fail(w, r, err)
		return
	}
	sr, ok := h.storedResponse(w, r)
	if !ok {
		return
	}
	items := make([]responses.InputItem, len(sr.Input))
	copy(items, sr.Input)
	if order == "desc" {
		for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
			items[i], items[j] = items[j], items[i]
		}
	}
	if after := q.Get("after"); after != "" {
		for i := range items {
			if items[i].ID == after {
				items = items[i+1:]
				break
			}
		}
	}
	out := inputItemList{Object: "list", Data: items}
	if len(items) > limit {
		out.Data, out.HasMore = items[:limit], true
	}
	if n := len(out.Data); n > 0 {
		out.FirstID, out.LastID = &out.Data[0].ID, &out.Data[n-1].ID
	}
	writeJSON(w, http.StatusOK, out)
}
