package responses

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"
)

// MemoryStore is the in-memory Store, bounded in bytes and in age.
// [github.com/oaicompat/oaicompat.NewHandler] uses one with the default
// [Limits] (256 MiB, one hour) unless
// [github.com/oaicompat/oaicompat.WithResponseStore] says otherwise. It serves one process: for
// several replicas behind a load balancer use a shared store (the Redis one
// in github.com/oaicompat/oaicompat/redisstore).
//
// # Memory
//
// A response is kept as its JSON encoding (see [Stored.MarshalJSON]), not as
// the objects it decodes to, so the heap holds about one byte per byte of
// text stored; Get decodes a fresh copy. [Limits].MaxBytes bounds the
// encodings plus a fixed estimate of the bookkeeping of each response (a
// few hundred bytes) and of each item id.
//
// # Owners and eviction
//
// Each owner is guaranteed its share of the store ([Limits].OwnerBytes,
// MaxBytes/16 by default): while an owner holds no more than its share,
// nothing another owner does evicts its responses. An owner may grow
// beyond its share into room no one else uses; what it holds beyond its
// share is evicted, oldest first across owners, when another owner needs
// the room. When a Put does not fit:
//
//  1. if the writer would hold more than its share, its own oldest
//     responses go first;
//  2. then the oldest response of an owner holding more than its share;
//  3. then the writer's own oldest responses;
//  4. and when the writer has none left, Put returns [ErrFull] (the store is
//     full of other owners' shares: with MaxBytes/OwnerBytes owners at
//     their share, a newcomer waits for responses to expire).
//
// A response larger than [Limits].MaxResponseBytes is refused with
// [ErrTooLarge]. "Oldest" is the earliest stored. Responses expire
// Limits.MaxAge after they were stored.
type MemoryStore struct {
	lim Limits
	now func() time.Time

	mu      sync.Mutex
	entries map[memKey]*memEntry // by owner and response id
	items   map[memKey]*memEntry // by owner and item id: the latest response holding it
	owners  map[string]*memOwner
	over    map[*memOwner]struct{} // owners holding more than their share
	all     memList                // every response, oldest first
	bytes   int64
	seq     uint64
}

// memKey scopes an id to its owner: an id of another owner is a key that
// is not there, like an unknown id.
type memKey struct{ owner, id string }

type memOwner struct {
	name  string
	bytes int64
	list  memList // this owner's responses, oldest first
}

type memEntry struct {
	owner    *memOwner
	id       string
	data     []byte   // the Stored's JSON
	items    []string // the ids indexed in items
	cost     int64
	seq      uint64
	expires  int64    // unix nanoseconds; 0: never
	all, own memLinks // in MemoryStore.all and in memOwner.list
}

// memList is a list of entries through one of their two sets of links.
type memList struct {
	head, tail *memEntry
	links      func(*memEntry) *memLinks
}

type memLinks struct{ prev, next *memEntry }

func allLinks(e *memEntry) *memLinks { return &e.all }
func ownLinks(e *memEntry) *memLinks { return &e.own }

// push appends e.
func (l *memList) push(e *memEntry) {
	*l.links(e) = memLinks{prev: l.tail}
	if l.tail != nil {
		l.links(l.tail).next = e
	} else {
		l.head = e
	}
	l.tail = e
}

// unlink removes e.
func (l *memList) unlink(e *memEntry) {
	lk := l.links(e)
	if lk.prev != nil {
		l.links(lk.prev).next = lk.next
	} else {
		l.head = lk.next
	}
	if lk.next != nil {
		l.links(lk.next).prev = lk.prev
	} else {
		l.tail = lk.prev
	}
	*lk = memLinks{}
}

// Bookkeeping charged to the bound besides the encodings: a memEntry with
// its map slot, key and list links; an item id's map slot and key.
const (
	entryOverhead = 320
	itemOverhead  = 128
)

// NewMemoryStore returns a MemoryStore bounded by lim (zero fields take
// their defaults, see Limits).
func NewMemoryStore(lim Limits) *MemoryStore {
	return &MemoryStore{lim: lim.WithDefaults(), now: time.Now,
		entries: map[memKey]*memEntry{}, items: map[memKey]*memEntry{},
		owners: map[string]*memOwner{}, over: map[*memOwner]struct{}{}, all: memList{links: allLinks}}
}

// Limits returns the store's limits, defaults filled in.
func (m *MemoryStore) Limits() Limits { return m.lim }

// Put implements Store. It returns ErrTooLarge or ErrFull when it does not
// keep r.
func (m *MemoryStore) Put(_ context.Context, owner string, r *Stored) error {
	if r == nil || r.Response == nil || r.Response.ID == "" {
		return errors.New("responses: storing a response without an id")
	}
	data, err := r.MarshalJSON()
	if err != nil {
		return err
	}
	// A copy sized by append has the capacity the allocator gives it (its
	// size class), which is what it holds.
	data = append([]byte(nil), data...)
	ids := r.ItemIDs()
	cost := int64(cap(data)+len(r.Response.ID)) + entryOverhead
	for _, id := range ids {
		cost += int64(len(id)) + itemOverhead
	}
	if cost > m.lim.MaxResponseBytes {
		return ErrTooLarge
	}
	// Ids are copied: a decoded string may share the memory of a whole
	// request body.
	e := &memEntry{id: strings.Clone(r.Response.ID), data: data, cost: cost, items: make([]string, len(ids))}
	for i, id := range ids {
		e.items[i] = strings.Clone(id)
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.expire(now)
	if old := m.entries[memKey{owner, e.id}]; old != nil {
		m.remove(old)
	}
	if err := m.makeRoom(owner, cost); err != nil {
		return err
	}
	o := m.owners[owner]
	if o == nil {
		o = &memOwner{name: strings.Clone(owner), list: memList{links: ownLinks}}
		m.owners[o.name] = o
	}
	m.seq++
	e.owner, e.seq = o, m.seq
	if m.lim.MaxAge > 0 {
		e.expires = now.Add(m.lim.MaxAge).UnixNano()
	}
	m.link(e)
	return nil
}

// makeRoom evicts until cost more bytes fit, in the order the type's
// documentation gives.
func (m *MemoryStore) makeRoom(owner string, cost int64) error {
	for m.bytes+cost > m.lim.MaxBytes {
		o := m.owners[owner]
		var own *memEntry
		if o != nil {
			own = o.list.head
		}
		switch victim := m.oldestExcess(o); {
		case own != nil && o.bytes+cost > m.lim.OwnerBytes:
			m.remove(own)
		case victim != nil:
			m.remove(victim)
		case own != nil:
			m.remove(own)
		default:
			return ErrFull
		}
	}
	return nil
}

// oldestExcess returns the oldest response of an owner other than except
// holding more than its share. Fewer than MaxBytes/OwnerBytes owners can.
func (m *MemoryStore) oldestExcess(except *memOwner) *memEntry {
	var oldest *memEntry
	for o := range m.over {
		if o != except && (oldest == nil || o.list.head.seq < oldest.seq) {
			oldest = o.list.head
		}
	}
	return oldest
}

// Get implements Store.
func (m *MemoryStore) Get(_ context.Context, owner, id string) (*Stored, error) {
	return m.load(m.entries, memKey{owner, id})
}

// GetByItem implements Store.
func (m *MemoryStore) GetByItem(_ context.Context, owner, itemID string) (*Stored, error) {
	return m.load(m.items, memKey{owner, itemID})
}

// load decodes the response index holds under k. The encoding is never
// modified once stored, so it is decoded outside the lock.
func (m *MemoryStore) load(index map[memKey]*memEntry, k memKey) (*Stored, error) {
	m.mu.Lock()
	m.expire(m.now())
	e := index[k]
	var data []byte
	if e != nil {
		data = e.data
	}
	m.mu.Unlock()
	if e == nil {
		return nil, ErrNotFound
	}
	s := new(Stored)
	if err := s.UnmarshalJSON(data); err != nil {
		return nil, err
	}
	return s, nil
}

// Delete implements Store.
func (m *MemoryStore) Delete(_ context.Context, owner, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire(m.now())
	e := m.entries[memKey{owner, id}]
	if e == nil {
		return ErrNotFound
	}
	m.remove(e)
	return nil
}

// Len returns the number of responses held.
func (m *MemoryStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire(m.now())
	return len(m.entries)
}

// Bytes returns the bytes charged to MaxBytes: the encodings held and
// their bookkeeping.
func (m *MemoryStore) Bytes() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire(m.now())
	return m.bytes
}

// expire drops the responses whose time is up; they are in expiry order.
func (m *MemoryStore) expire(now time.Time) {
	if m.lim.MaxAge <= 0 {
		return
	}
	t := now.UnixNano()
	for m.all.head != nil && m.all.head.expires <= t {
		m.remove(m.all.head)
	}
}

// link adds e, the newest response, to the lists, the indexes and the
// counts.
func (m *MemoryStore) link(e *memEntry) {
	o := e.owner
	m.all.push(e)
	o.list.push(e)
	m.entries[memKey{o.name, e.id}] = e
	for _, id := range e.items {
		m.items[memKey{o.name, id}] = e
	}
	m.bytes += e.cost
	o.bytes += e.cost
	m.noteShare(o)
}

// remove forgets e.
func (m *MemoryStore) remove(e *memEntry) {
	o := e.owner
	m.all.unlink(e)
	o.list.unlink(e)
	delete(m.entries, memKey{o.name, e.id})
	for _, id := range e.items {
		if k := (memKey{o.name, id}); m.items[k] == e {
			delete(m.items, k)
		}
	}
	m.bytes -= e.cost
	o.bytes -= e.cost
	m.noteShare(o)
	if o.list.head == nil {
		delete(m.owners, o.name)
	}
}

// noteShare keeps m.over up to date with o.
func (m *MemoryStore) noteShare(o *memOwner) {
	if o.bytes > m.lim.OwnerBytes {
		m.over[o] = struct{}{}
	} else {
		delete(m.over, o)
	}
}
