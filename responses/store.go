package responses

import (
	"context"
	"errors"
	"time"

	gojson "github.com/goccy/go-json"
)

// Store keeps Responses for GET /v1/responses/{id}, DELETE,
// GET /v1/responses/{id}/input_items, previous_response_id and
// item_reference input items. The handler saves a response (when the
// request's store is not false) before the client sees its end, so that a
// client may chain on it at once.
//
// Every stored response belongs to an owner: the id of the API key that
// authenticated the request, or whatever the host derives from it (see
// [github.com/oaicompat/oaicompat.WithOwner]); "" is the one anonymous owner of unauthenticated
// requests. A Store keeps owners apart: an id stored by another owner is, to
// Get, GetByItem and Delete, exactly an unknown id ([ErrNotFound], by the
// same code path), and one owner's writes must not evict another owner's
// responses within its share of the store (see [Limits]).
//
// Implementations must be safe for concurrent use and must not keep or
// modify the Stored they are given: the handler may still encode it. Get
// and GetByItem return a Stored that belongs to the caller (a fresh
// decoding, which the caller may modify). A store that cannot
// answer (a database down or slow) returns any other error, promptly: the
// handler answers 503 with Retry-After. Put may refuse a response with
// [ErrTooLarge] or [ErrFull]: the handler then answers it as "store": false.
// Package storetest checks an implementation.
type Store interface {
	// Put stores r for owner; putting an id again replaces it.
	Put(ctx context.Context, owner string, r *Stored) error
	// Get returns owner's response id.
	Get(ctx context.Context, owner, id string) (*Stored, error)
	// GetByItem returns owner's response that holds the item itemID among
	// its input or output items (the most recently stored one, when
	// several do), for item_reference.
	GetByItem(ctx context.Context, owner, itemID string) (*Stored, error)
	// Delete forgets owner's response id.
	Delete(ctx context.Context, owner, id string) error
}

// Errors a Store returns.
var (
	// ErrNotFound is returned for an unknown, expired or foreign id.
	ErrNotFound = errors.New("responses: response not found")
	// ErrTooLarge is returned by Put for a response whose encoding is larger
	// than the store keeps (Limits.MaxResponseBytes).
	ErrTooLarge = errors.New("responses: response too large to store")
	// ErrFull is returned by Put when the response does not fit without
	// evicting another owner's responses within its share.
	ErrFull = errors.New("responses: store full")
)

// Stored is what a Store keeps for one response: the Response as answered,
// and the input items of its request (ids assigned, a string input as one
// user message, item references resolved). The conversation of a response
// is its predecessors' (Response.PreviousResponseID), then its Input, then
// its Response.Output.
//
// Stores keep it as its JSON encoding ([Stored.MarshalJSON]), a compact form that
// holds about one byte of memory per byte of text.
type Stored struct {
	Response *Response
	Input    []InputItem
}

// MarshalJSON implements json.Marshaler: {"response":{...},"input":[...]},
// the input items with exactly the fields of their type.
func (s *Stored) MarshalJSON() ([]byte, error) {
	resp, err := gojson.Marshal(s.Response)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, len(resp)+64+s.inputSize())
	b = append(b, `{"response":`...)
	b = append(b, resp...)
	b = append(b, `,"input":[`...)
	for i := range s.Input {
		if i > 0 {
			b = append(b, ',')
		}
		b = s.Input[i].AppendJSON(b)
	}
	return append(b, "]}"...), nil
}

// inputSize estimates the encoded size of the input, to size the buffer.
func (s *Stored) inputSize() int {
	n := 0
	for i := range s.Input {
		it := &s.Input[i]
		n += 64 + len(it.Raw) + len(it.Arguments) + it.Content.size() + it.Output.size()
	}
	return n
}

// UnmarshalJSON implements json.Unmarshaler.
func (s *Stored) UnmarshalJSON(data []byte) error {
	var w struct {
		Response *Response   `json:"response"`
		Input    []InputItem `json:"input"`
	}
	if err := gojson.Unmarshal(data, &w); err != nil {
		return err
	}
	if w.Response == nil {
		return errors.New("responses: stored response without a response")
	}
	for i := range w.Input {
		if w.Input[i].Type != "" && !modeledItem(w.Input[i].Type) {
			continue // its fields live in Raw only
		}
		w.Input[i].Raw = nil
	}
	s.Response, s.Input = w.Response, w.Input
	return nil
}

// ItemIDs returns the ids of the response's input and output items, which
// item_reference input items may name.
func (s *Stored) ItemIDs() []string {
	ids := make([]string, 0, len(s.Input)+len(s.Response.Output))
	for i := range s.Input {
		if id := s.Input[i].ID; id != "" {
			ids = append(ids, id)
		}
	}
	for i := range s.Response.Output {
		if id := s.Response.Output[i].ID; id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

func modeledItem(typ string) bool {
	switch typ {
	case "message", "function_call", "function_call_output", "reasoning", "item_reference":
		return true
	}
	return false
}

// Limits bound what a Store keeps. A zero field takes its default.
type Limits struct {
	// MaxBytes bounds the bytes a MemoryStore holds for all owners together:
	// the encoded responses plus a fixed estimate of the bookkeeping of each
	// response and item id ([MemoryStore]; the Redis store leaves the total
	// to Redis's maxmemory). Default 256 MiB.
	MaxBytes int64
	// OwnerBytes is each owner's share. Another owner's writes never evict
	// the responses of an owner that holds no more than its share; what an
	// owner holds beyond it (room no one else was using) is evicted, oldest
	// first across owners, when the store is full. Default MaxBytes/16.
	OwnerBytes int64
	// MaxResponseBytes is the largest response stored (its encoding with
	// its input items); a larger one is answered normally but not stored
	// ([ErrTooLarge]). Default 8 MiB, never more than OwnerBytes.
	MaxResponseBytes int64
	// MaxAge is how long a response is kept. Default one hour; negative
	// keeps responses until they are evicted or deleted.
	MaxAge time.Duration
}

// Default limits.
const (
	DefaultMaxBytes         = 256 << 20
	DefaultOwnerFraction    = 16 // OwnerBytes = MaxBytes / DefaultOwnerFraction
	DefaultMaxResponseBytes = 8 << 20
	DefaultMaxAge           = time.Hour
)

// WithDefaults returns l with every zero field set to its default.
func (l Limits) WithDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.OwnerBytes <= 0 {
		l.OwnerBytes = l.MaxBytes / DefaultOwnerFraction
	}
	l.OwnerBytes = min(l.OwnerBytes, l.MaxBytes)
	if l.MaxResponseBytes <= 0 {
		l.MaxResponseBytes = DefaultMaxResponseBytes
	}
	l.MaxResponseBytes = min(l.MaxResponseBytes, l.OwnerBytes)
	if l.MaxAge == 0 {
		l.MaxAge = DefaultMaxAge
	}
	return l
}
