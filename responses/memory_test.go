package responses_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/oaicompat/oaicompat/responses"
	"github.com/oaicompat/oaicompat/responses/storetest"
)

// costOf is what the store charges for storetest.Response(id, size).
func costOf(t *testing.T, id string, size int) int64 {
	t.Helper()
	m := responses.NewMemoryStore(responses.Limits{MaxBytes: 1 << 30, OwnerBytes: 1 << 30, MaxResponseBytes: 1 << 30})
	if err := m.Put(context.Background(), "", storetest.Response(id, size)); err != nil {
		t.Fatal(err)
	}
	return m.Bytes()
}

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
		lim  responses.Limits // in units
		puts []put
		want map[string][]int // per owner, which of its responses are left
		full bool             // the last Put fails with responses.ErrFull
	}{
		{"one owner fills the store, oldest go first",
			responses.Limits{MaxBytes: 4, OwnerBytes: 1},
			[]put{{"a", 0, 6}},
			map[string][]int{"a": {2, 3, 4, 5}}, false},
		{"a flood does not evict another owner within its share",
			responses.Limits{MaxBytes: 4, OwnerBytes: 1},
			[]put{{"a", 0, 1}, {"b", 0, 20}},
			map[string][]int{"a": {0}, "b": {17, 18, 19}}, false},
		{"an owner beyond its share loses its excess to one within",
			responses.Limits{MaxBytes: 4, OwnerBytes: 1},
			[]put{{"a", 0, 3}, {"b", 0, 1}, {"c", 0, 1}},
			map[string][]int{"a": {1, 2}, "b": {0}, "c": {0}}, false},
		{"excess goes oldest first across owners",
			responses.Limits{MaxBytes: 6, OwnerBytes: 1},
			[]put{{"a", 0, 3}, {"b", 0, 3}, {"c", 0, 1}, {"d", 0, 1}, {"e", 0, 1}},
			map[string][]int{"a": {2}, "b": {1, 2}, "c": {0}, "d": {0}, "e": {0}}, false},
		{"the writer beyond its share pays before older excess",
			responses.Limits{MaxBytes: 4, OwnerBytes: 1},
			[]put{{"a", 0, 2}, {"b", 0, 3}},
			map[string][]int{"a": {0, 1}, "b": {1, 2}}, false},
		{"a store full of shares refuses a newcomer",
			responses.Limits{MaxBytes: 2, OwnerBytes: 1},
			[]put{{"a", 0, 1}, {"b", 0, 1}, {"c", 0, 1}},
			map[string][]int{"a": {0}, "b": {0}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			m := responses.NewMemoryStore(responses.Limits{MaxBytes: tt.lim.MaxBytes * unit, OwnerBytes: tt.lim.OwnerBytes * unit, MaxResponseBytes: unit})
			var err error
			for _, p := range tt.puts {
				for i := p.from; i < p.to; i++ {
					err = m.Put(ctx, p.owner, storetest.Response(fmt.Sprintf("r_%s_%02d", p.owner, i), 1000))
				}
			}
			if tt.full != errors.Is(err, responses.ErrFull) || !tt.full && err != nil {
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

// TestLimitsDefaults: the response cap never exceeds an owner's share.
func TestLimitsDefaults(t *testing.T) {
	if got := (responses.Limits{MaxBytes: 1 << 20}).WithDefaults(); got.OwnerBytes != 64<<10 || got.MaxResponseBytes != 64<<10 || got.MaxAge != time.Hour {
		t.Errorf("defaults for 1 MiB: %+v", got)
	}
	if got := (responses.Limits{}).WithDefaults(); got.MaxBytes != 256<<20 || got.OwnerBytes != 16<<20 || got.MaxResponseBytes != 8<<20 {
		t.Errorf("defaults: %+v", got)
	}
}

func TestMemoryStoreExpiry(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	m := responses.NewMemoryStore(responses.Limits{MaxAge: time.Minute})
	responses.SetClock(m, func() time.Time { return now })
	_ = m.Put(ctx, "a", storetest.Response("resp_1", 10))
	now = now.Add(30 * time.Second)
	_ = m.Put(ctx, "a", storetest.Response("resp_2", 10))
	now = now.Add(31 * time.Second)
	if _, err := m.Get(ctx, "a", "resp_1"); !errors.Is(err, responses.ErrNotFound) {
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
	m := responses.NewMemoryStore(responses.Limits{})
	_ = m.Put(ctx, "a", storetest.Response("resp_1", 10))
	_ = m.Put(ctx, "a", storetest.Response("resp_1", 20))
	if m.Len() != 1 || m.Bytes() != costOf(t, "resp_1", 20) {
		t.Errorf("after replacing: %d responses, %d bytes", m.Len(), m.Bytes())
	}
	second := storetest.Response("resp_2", 10)
	second.Input = append(second.Input, responses.InputItem{Type: "message", ID: "msg_resp_1", Role: "assistant", Status: responses.StatusCompleted,
		Content: responses.PartsContent(responses.Part{Type: "output_text", Text: "ok"})})
	_ = m.Put(ctx, "a", second)
	if s, err := m.GetByItem(ctx, "a", "msg_resp_1"); err != nil || s.Response.ID != "resp_2" {
		t.Errorf("item held by two responses: %v %v", s, err)
	}
}

func TestMemoryStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, lim responses.Limits) responses.Store { return responses.NewMemoryStore(lim) })
}
