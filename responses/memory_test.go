package responses

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// stored returns a response id with one input message of size bytes of
// text and one output message msg_<id>.
func stored(id string, size int) *Stored {
	return &Stored{
		Response: &Response{ID: id, Object: "response", Status: StatusCompleted, Model: "m",
			Output: []OutputItem{{Type: "message", ID: "msg_" + id, Status: StatusCompleted, Role: "assistant",
				Content: []OutputContent{{Type: "output_text", Text: "ok"}}}}},
		Input: []InputItem{{Type: "message", ID: "in_" + id, Role: "user", Status: StatusCompleted,
			Content: PartsContent(Part{Type: "input_text", Text: strings.Repeat("x", size)})}},
	}
}

// costOf is what the store charges for stored(id, size).
func costOf(t *testing.T, id string, size int) int64 {
	t.Helper()
	m := NewMemoryStore(Limits{MaxBytes: 1 << 30, OwnerBytes: 1 << 30, MaxResponseBytes: 1 << 30})
	if err := m.Put(context.Background(), "", stored(id, size)); err != nil {
		t.Fatal(err)
	}
	return m.Bytes()
}

func TestMemoryStoreOwnersAreApart(t *testing.T) {
	ctx := context.Background()
	m := NewMemoryStore(Limits{})
	if err := m.Put(ctx, "alice", stored("resp_1", 10)); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"get":            get(m.Get(ctx, "bob", "resp_1")),
		"get by item":    get(m.GetByItem(ctx, "bob", "msg_resp_1")),
		"get by input":   get(m.GetByItem(ctx, "bob", "in_resp_1")),
		"delete":         m.Delete(ctx, "bob", "resp_1"),
		"anonymous get":  get(m.Get(ctx, "", "resp_1")),
		"unknown get":    get(m.Get(ctx, "alice", "resp_2")),
		"unknown delete": m.Delete(ctx, "alice", "resp_2"),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
	for _, lookup := range []func() (*Stored, error){
		func() (*Stored, error) { return m.Get(ctx, "alice", "resp_1") },
		func() (*Stored, error) { return m.GetByItem(ctx, "alice", "msg_resp_1") },
		func() (*Stored, error) { return m.GetByItem(ctx, "alice", "in_resp_1") },
	} {
		if s, err := lookup(); err != nil || s.Response.ID != "resp_1" {
			t.Errorf("alice's own lookup: %v %v", s, err)
		}
	}
	if err := m.Delete(ctx, "alice", "resp_1"); err != nil {
		t.Fatal(err)
	}
	if m.Len() != 0 || m.Bytes() != 0 {
		t.Errorf("after delete: %d responses, %d bytes", m.Len(), m.Bytes())
	}
	if _, err := m.GetByItem(ctx, "alice", "msg_resp_1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("item index after delete: %v", err)
	}
}

func get(_ *Stored, err error) error { return err }

// TestMemoryStoreEviction plays Puts against a small store and checks who
// is left: one owner's writes evict its own oldest first and never another
// owner's within its share.
func TestMemoryStoreEviction(t *testing.T) {
	unit := costOf(t, "r_a_00", 1000) // every response below costs the same
	type put struct {
		owner    string
		from, to int // responses r_<owner>_<from> .. r_<owner>_<to-1>
	}
	tests := []struct {
		name string
		lim  Limits // in units
		puts []put
		want map[string][]int // per owner, which of its responses are left
		full bool             // the last Put fails with ErrFull
	}{
		{"one owner fills the store, oldest go first",
			Limits{MaxBytes: 4, OwnerBytes: 1},
			[]put{{"a", 0, 6}},
			map[string][]int{"a": {2, 3, 4, 5}}, false},
		{"a flood does not evict another owner within its share",
			Limits{MaxBytes: 4, OwnerBytes: 1},
			[]put{{"a", 0, 1}, {"b", 0, 20}},
			map[string][]int{"a": {0}, "b": {17, 18, 19}}, false},
		{"an owner beyond its share loses its excess to one within",
			Limits{MaxBytes: 4, OwnerBytes: 1},
			[]put{{"a", 0, 3}, {"b", 0, 1}, {"c", 0, 1}},
			map[string][]int{"a": {1, 2}, "b": {0}, "c": {0}}, false},
		{"excess goes oldest first across owners",
			Limits{MaxBytes: 6, OwnerBytes: 1},
			[]put{{"a", 0, 3}, {"b", 0, 3}, {"c", 0, 1}, {"d", 0, 1}, {"e", 0, 1}},
			map[string][]int{"a": {2}, "b": {1, 2}, "c": {0}, "d": {0}, "e": {0}}, false},
		{"the writer beyond its share pays before older excess",
			Limits{MaxBytes: 4, OwnerBytes: 1},
			[]put{{"a", 0, 2}, {"b", 0, 3}},
			map[string][]int{"a": {0, 1}, "b": {1, 2}}, false},
		{"a store full of shares refuses a newcomer",
			Limits{MaxBytes: 2, OwnerBytes: 1},
			[]put{{"a", 0, 1}, {"b", 0, 1}, {"c", 0, 1}},
			map[string][]int{"a": {0}, "b": {0}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			m := NewMemoryStore(Limits{MaxBytes: tt.lim.MaxBytes * unit, OwnerBytes: tt.lim.OwnerBytes * unit, MaxResponseBytes: unit})
			var err error
			for _, p := range tt.puts {
				for i := p.from; i < p.to; i++ {
					err = m.Put(ctx, p.owner, stored(fmt.Sprintf("r_%s_%02d", p.owner, i), 1000))
				}
			}
			if tt.full != errors.Is(err, ErrFull) || !tt.full && err != nil {
				t.Fatalf("last Put: %v (want ErrFull: %v)", err, tt.full)
			}
			total := 0
			for owner, idx := range tt.want {
				for _, i := range idx {
					if _, err := m.Get(ctx, owner, fmt.Sprintf("r_%s_%02d", owner, i)); err != nil {
						t.Errorf("%s's response %d: %v", owner, i, err)
					}
				}
				total += len(idx)
			}
			if m.Len() != total {
				t.Errorf("%d responses left, want %d", m.Len(), total)
			}
			if m.Bytes() > m.Limits().MaxBytes {
				t.Errorf("%d bytes held, bound %d", m.Bytes(), m.Limits().MaxBytes)
			}
		})
	}
}

func TestMemoryStoreTooLarge(t *testing.T) {
	ctx := context.Background()
	m := NewMemoryStore(Limits{MaxResponseBytes: 4 << 10})
	if err := m.Put(ctx, "", stored("resp_big", 5<<10)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Put of a 5 KiB response under a 4 KiB cap: %v", err)
	}
	if err := m.Put(ctx, "", stored("resp_small", 1<<10)); err != nil {
		t.Errorf("Put of a 1 KiB response: %v", err)
	}
	if m.Len() != 1 {
		t.Errorf("%d responses held", m.Len())
	}
	// The cap never exceeds an owner's share.
	if got := (Limits{MaxBytes: 1 << 20}).WithDefaults(); got.OwnerBytes != 64<<10 || got.MaxResponseBytes != 64<<10 || got.MaxAge != time.Hour {
		t.Errorf("defaults for 1 MiB: %+v", got)
	}
}

func TestMemoryStoreExpiry(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	m := NewMemoryStore(Limits{MaxAge: time.Minute})
	m.now = func() time.Time { return now }
	_ = m.Put(ctx, "a", stored("resp_1", 10))
	now = now.Add(30 * time.Second)
	_ = m.Put(ctx, "a", stored("resp_2", 10))
	now = now.Add(31 * time.Second)
	if _, err := m.Get(ctx, "a", "resp_1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("resp_1 after 61s: %v", err)
	}
	if _, err := m.GetByItem(ctx, "a", "msg_resp_2"); err != nil {
		t.Errorf("resp_2 after 31s: %v", err)
	}
	now = now.Add(30 * time.Second)
	if m.Len() != 0 || m.Bytes() != 0 {
		t.Errorf("after both expired: %d responses, %d bytes", m.Len(), m.Bytes())
	}
}

// TestMemoryStoreReplace checks that putting an id again replaces it, and
// that the item index follows the newest holder of an item.
func TestMemoryStoreReplace(t *testing.T) {
	ctx := context.Background()
	m := NewMemoryStore(Limits{})
	_ = m.Put(ctx, "a", stored("resp_1", 10))
	_ = m.Put(ctx, "a", stored("resp_1", 20))
	if m.Len() != 1 || m.Bytes() != costOf(t, "resp_1", 20) {
		t.Errorf("after replacing: %d responses, %d bytes", m.Len(), m.Bytes())
	}
	second := stored("resp_2", 10)
	second.Input = append(second.Input, InputItem{Type: "message", ID: "msg_resp_1", Role: "assistant", Status: StatusCompleted,
		Content: PartsContent(Part{Type: "output_text", Text: "ok"})})
	_ = m.Put(ctx, "a", second)
	if s, err := m.GetByItem(ctx, "a", "msg_resp_1"); err != nil || s.Response.ID != "resp_2" {
		t.Errorf("item held by two responses: %v %v", s, err)
	}
}
