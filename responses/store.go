package responses

import (
	"container/list"
	"context"
	"errors"
	"sync"
	"time"
)

// Store keeps Responses for GET /v1/responses/{id}, DELETE,
// GET /v1/responses/{id}/input_items and previous_response_id. The handler
// saves a response (when the request's store is not false) before the
// client sees its end, so a client may chain on it at once.
//
// Implementations must be safe for concurrent use, and must treat the
// Stored they are given and return as read-only: the handler may
// encode it while another request reads it. Get and Delete return
// ErrNotFound for an unknown (or expired) id.
type Store interface {
	Put(ctx context.Context, r *Stored) error
	Get(ctx context.Context, id string) (*Stored, error)
	Delete(ctx context.Context, id string) error
}

// Stored is what a Store keeps for one response: the
// Response as answered, and the input items of its request (ids assigned,
// a string input as one user message). The conversation of a response is
// its predecessors' (Response.PreviousResponseID), then its Input, then its
// Response.Output.
type Stored struct {
	Response *Response
	Input    []InputItem
}

// ErrNotFound is returned by a Store for an unknown id.
var ErrNotFound = errors.New("oaicompat: response not found")

// MemoryStore is the in-memory Store: it keeps at most a fixed
// number of responses, each for a fixed time, and forgets the oldest first.
// NewHandler uses one (1024 responses, one hour) unless WithResponseStore
// says otherwise.
type MemoryStore struct {
	max int
	ttl time.Duration
	now func() time.Time

	mu    sync.Mutex
	byID  map[string]*list.Element
	order *list.List // of *memEntry, oldest first
}

type memEntry struct {
	r       *Stored
	expires time.Time
}

// NewMemoryStore returns a MemoryStore keeping at most max responses
// (max <= 0 means 1024), each for ttl (ttl <= 0 means forever).
func NewMemoryStore(max int, ttl time.Duration) *MemoryStore {
	if max <= 0 {
		max = 1024
	}
	return &MemoryStore{max: max, ttl: ttl, now: time.Now, byID: map[string]*list.Element{}, order: list.New()}
}

// Put implements Store. Putting an id again replaces it.
func (m *MemoryStore) Put(_ context.Context, r *Stored) error {
	if r == nil || r.Response == nil || r.Response.ID == "" {
		return errors.New("oaicompat: storing a response without an id")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.expire(now)
	if el, ok := m.byID[r.Response.ID]; ok {
		m.order.Remove(el)
	}
	e := &memEntry{r: r}
	if m.ttl > 0 {
		e.expires = now.Add(m.ttl)
	}
	m.byID[r.Response.ID] = m.order.PushBack(e)
	for m.order.Len() > m.max {
		m.remove(m.order.Front())
	}
	return nil
}

// Get implements Store.
func (m *MemoryStore) Get(_ context.Context, id string) (*Stored, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire(m.now())
	el, ok := m.byID[id]
	if !ok {
		return nil, ErrNotFound
	}
	return el.Value.(*memEntry).r, nil
}

// Delete implements Store.
func (m *MemoryStore) Delete(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire(m.now())
	el, ok := m.byID[id]
	if !ok {
		return ErrNotFound
	}
	m.remove(el)
	return nil
}

// Len returns the number of responses held.
func (m *MemoryStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire(m.now())
	return m.order.Len()
}

// expire drops the entries whose time is up; they are in expiry order.
func (m *MemoryStore) expire(now time.Time) {
	if m.ttl <= 0 {
		return
	}
	for el := m.order.Front(); el != nil; el = m.order.Front() {
		if now.Before(el.Value.(*memEntry).expires) {
			return
		}
		m.remove(el)
	}
}

func (m *MemoryStore) remove(el *list.Element) {
	delete(m.byID, el.Value.(*memEntry).r.Response.ID)
	m.order.Remove(el)
}
