package oaicompat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/oaicompat/oaicompat/internal/jsonx"
	"github.com/oaicompat/oaicompat/responses"
)

// This file holds what the Responses API keeps between requests, through
// the handler's responses.Store, always scoped to the request's owner
// (WithOwner): storing a finished response, previous_response_id,
// item_reference input items, and the routes GET and DELETE
// /v1/responses/{id} and GET /v1/responses/{id}/input_items. An id of
// another owner takes the path of an unknown id everywhere: the store
// answers ErrNotFound for both.

// owner returns the owner of what r reads and stores: WithOwner's function,
// else the authenticated key's id, else "" (the anonymous owner).
func (h *Handler) owner(r *http.Request) string {
	if h.cfg.owner != nil {
		return h.cfg.owner(r)
	}
	if ci := CallInfoFromContext(r.Context()); ci != nil {
		return ci.KeyID
	}
	return ""
}

// storeUnavailable is the answer when the store fails (Redis down or slow):
// the SDKs retry a 503 after Retry-After.
var storeUnavailable = &Error{Status: http.StatusServiceUnavailable, Type: TypeServerError,
	Message: "The response store is unavailable. Please retry your request.", Header: http.Header{"Retry-After": {"1"}}}

// storeFailure is what a client sees of a store error other than
// ErrNotFound: an *Error the store chose, or 503 with Retry-After.
func storeFailure(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return storeUnavailable.WithCause(err)
}

// routeError is what a stored-response route answers for the store's err
// about id: OpenAI's 404 for an unknown (or another owner's) id, else the
// store's failure.
func routeError(id string, err error) error {
	if errors.Is(err, responses.ErrNotFound) {
		return &Error{Status: http.StatusNotFound, Type: TypeInvalidRequest, Message: fmt.Sprintf("Response with id '%s' not found.", id)}
	}
	return storeFailure(err)
}

// storeResponse saves a finished response with its input items for owner.
// A response the store does not keep is answered with "store": false and
// logged: at level Warn when the store refused it (too large, no room), at
// level Error when the store failed.
func (h *Handler) storeResponse(ctx context.Context, owner string, req *responses.Request, resp *responses.Response) {
	items := req.Input.Items()
	input := make([]responses.InputItem, len(items))
	for i, it := range items {
		input[i] = h.normalizeItem(it)
	}
	err := h.cfg.store.Put(ctx, owner, &responses.Stored{Response: resp, Input: input})
	if err == nil {
		return
	}
	resp.Store = false
	if errors.Is(err, responses.ErrTooLarge) || errors.Is(err, responses.ErrFull) {
		h.cfg.logger.Warn("oaicompat: response not stored", "id", resp.ID, "reason", err.Error())
		return
	}
	h.cfg.logger.Error("oaicompat: response not stored", "id", resp.ID, "error", err.Error())
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

// history resolves previous_response_id into the items of owner's
// conversation so far, oldest first.
func (h *Handler) history(ctx context.Context, owner, id string) ([]responses.InputItem, error) {
	if id == "" {
		return nil, nil
	}
	if h.cfg.store == nil {
		return nil, unsupportedParam("previous_response_id", "'previous_response_id' is not supported: this server keeps no responses (no responses.Store is configured).")
	}
	var chain []*responses.Stored
	for id != "" && len(chain) < maxChain {
		sr, err := h.cfg.store.Get(ctx, owner, id)
		if errors.Is(err, responses.ErrNotFound) {
			e := InvalidRequest("previous_response_id", "Previous response with id '%s' not found.", id)
			e.Code = "previous_response_not_found"
			return nil, e
		}
		if err != nil {
			return nil, storeFailure(err)
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

// resolveReferences replaces the item_reference items of req's input by the
// items they name among owner's stored responses (input or output items),
// so that the backend and the stored input see the items themselves. The
// items it resolves may add up to the body limit, no more: a few bytes of
// reference must not stand for gigabytes of input.
func (h *Handler) resolveReferences(ctx context.Context, owner string, req *responses.Request) error {
	if req.Input.IsString() {
		return nil
	}
	items := req.Input.Items()
	var out []responses.InputItem // nil until the first reference
	var refs itemRefs
	for i := range items {
		it := &items[i]
		if !it.IsReference() {
			if out != nil {
				out = append(out, *it)
			}
			continue
		}
		if out == nil {
			out = append(make([]responses.InputItem, 0, len(items)), items[:i]...)
		}
		if h.cfg.store == nil {
			return unsupportedParam("input["+strconv.Itoa(i)+"]", "Input items of type 'item_reference' are not supported: this server keeps no responses (no responses.Store is configured).")
		}
		ref, err := refs.resolve(ctx, h.cfg.store, owner, it.ID)
		if err != nil {
			return err
		}
		if refs.bytes > h.cfg.maxBytes {
			return InvalidRequest("input", "The items that 'input' references add up to more than %d bytes, the most this server accepts in one request.", h.cfg.maxBytes)
		}
		out = append(out, ref...)
	}
	if out != nil {
		req.Input = responses.ItemsInput(out...)
	}
	return nil
}

// itemRefs resolves the item references of one request: each stored
// response it loads is indexed once, so a reference costs a map lookup
// however many came before, and bytes adds up the resolved items' size.
type itemRefs struct {
	byID  map[string]*resolvedItem
	bytes int64
}

type resolvedItem struct {
	items []responses.InputItem // none for an output message without content
	size  int64                 // their JSON size; -1 until needed
}

// resolve returns item id of owner's stored responses as input items,
// looking first among the responses this request already loaded.
func (r *itemRefs) resolve(ctx context.Context, store responses.Store, owner, id string) ([]responses.InputItem, error) {
	it, ok := r.byID[id]
	if !ok {
		sr, err := store.GetByItem(ctx, owner, id)
		if err != nil && !errors.Is(err, responses.ErrNotFound) {
			return nil, storeFailure(err)
		}
		if err == nil {
			r.index(sr)
		}
		if it, ok = r.byID[id]; !ok {
			return nil, &Error{Status: http.StatusNotFound, Type: TypeInvalidRequest, Param: "input",
				Message: fmt.Sprintf("Item with id '%s' not found. Items are not persisted when `store` is set to false. Try again with `store` set to true, or remove this item from your input.", id)}
		}
	}
	if it.size < 0 {
		b, err := json.Marshal(it.items)
		if err != nil {
			return nil, ServerError(err.Error())
		}
		it.size = int64(len(b))
	}
	r.bytes += it.size
	return it.items, nil
}

// index adds the items of sr, input then output, that no loaded response
// had already.
func (r *itemRefs) index(sr *responses.Stored) {
	if r.byID == nil {
		r.byID = map[string]*resolvedItem{}
	}
	add := func(id string, items []responses.InputItem) {
		if _, dup := r.byID[id]; id != "" && !dup {
			r.byID[id] = &resolvedItem{items: items, size: -1}
		}
	}
	for i := range sr.Input {
		add(sr.Input[i].ID, sr.Input[i:i+1:i+1])
	}
	for i := range sr.Response.Output {
		add(sr.Response.Output[i].ID, outputAsInput(sr.Response.Output[i:i+1]))
	}
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

// storedResponse loads the response the path names, answering 404 for an
// unknown (or another owner's) id.
func (h *Handler) storedResponse(w http.ResponseWriter, r *http.Request) (*responses.Stored, bool) {
	id := responseID(r)
	sr, err := h.cfg.store.Get(r.Context(), h.owner(r), id)
	if err != nil {
		h.fail(w, r, routeError(id, err))
		return nil, false
	}
	return sr, true
}

// responseID is the id of the response a stored-response route names: the
// "id" path value when the router sets one, else the path segment before
// "/input_items" or the last one.
func responseID(r *http.Request) string {
	if id := r.PathValue("id"); id != "" {
		return id
	}
	return lastSegment(strings.TrimSuffix(r.URL.Path, "/input_items"))
}

// storeRoute starts a stored-response route: it names the operation in the
// CallInfo and answers 404 when the handler keeps no responses (a
// per-endpoint handler mounted without a store).
func (h *Handler) storeRoute(w http.ResponseWriter, r *http.Request, endpoint string) bool {
	if ci := CallInfoFromContext(r.Context()); ci != nil {
		ci.Endpoint = endpoint
	}
	if h.cfg.store == nil {
		h.fail(w, r, Unsupported(r.Method, r.URL.Path))
		return false
	}
	return true
}

// serveGetResponse is GET /v1/responses/{id}.
func (h *Handler) serveGetResponse(w http.ResponseWriter, r *http.Request) {
	if !h.storeRoute(w, r, "responses.retrieve") {
		return
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
	if !h.storeRoute(w, r, "responses.delete") {
		return
	}
	id := responseID(r)
	if err := h.cfg.store.Delete(r.Context(), h.owner(r), id); err != nil {
		h.fail(w, r, routeError(id, err))
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
	if !h.storeRoute(w, r, "responses.input_items") {
		return
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
	items := sr.Input
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
