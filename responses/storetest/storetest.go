// Package storetest checks that a [responses.Store] keeps what the handler
// relies on: owners apart, item references, replacement, deletion, the
// response cap and per-owner shares under a flood. Store implementations
// run it from their tests:
//
//	func TestMyStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, lim responses.Limits) responses.Store { return newMyStore(t, lim) })
//	}
package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/oaicompat/oaicompat/responses"
)

// NewStore returns an empty store bounded by lim, for one test.
type NewStore func(t *testing.T, lim responses.Limits) responses.Store

// Response returns a completed response id with one user message of size
// bytes of text ("in_" + id) and one assistant message ("msg_" + id).
func Response(id string, size int) *responses.Stored {
	return &responses.Stored{
		Response: &responses.Response{ID: id, Object: "response", Status: responses.StatusCompleted, Model: "m",
			Output: []responses.OutputItem{{Type: "message", ID: "msg_" + id, Status: responses.StatusCompleted, Role: "assistant",
				Content: []responses.OutputContent{{Type: "output_text", Text: "answer to " + id}}}}},
		Input: []responses.InputItem{{Type: "message", ID: "in_" + id, Role: "user", Status: responses.StatusCompleted,
			Content: responses.PartsContent(responses.Part{Type: "input_text", Text: strings.Repeat("x", size)})}},
	}
}

// Run runs the checks, each on a store of its own.
func Run(t *testing.T, newStore NewStore) {
	t.Run("RoundTrip", func(t *testing.T) { roundTrip(t, newStore) })
	t.Run("OwnersApart", func(t *testing.T) { ownersApart(t, newStore) })
	t.Run("ReplaceAndDelete", func(t *testing.T) { replaceAndDelete(t, newStore) })
	t.Run("TooLarge", func(t *testing.T) { tooLarge(t, newStore) })
	t.Run("FloodKeepsOtherOwners", func(t *testing.T) { flood(t, newStore) })
}

func roundTrip(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	s := newStore(t, responses.Limits{})
	in := Response("resp_1", 100)
	want, _ := in.MarshalJSON()
	if err := s.Put(ctx, "alice", in); err != nil {
		t.Fatal(err)
	}
	for name, get := range map[string]func() (*responses.Stored, error){
		"Get":                 func() (*responses.Stored, error) { return s.Get(ctx, "alice", "resp_1") },
		"GetByItem of input":  func() (*responses.Stored, error) { return s.GetByItem(ctx, "alice", "in_resp_1") },
		"GetByItem of output": func() (*responses.Stored, error) { return s.GetByItem(ctx, "alice", "msg_resp_1") },
	} {
		got, err := get()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b, _ := got.MarshalJSON(); string(b) != string(want) {
			t.Errorf("%s returned\n%s\nwant\n%s", name, b, want)
		}
	}
}

func ownersApart(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	s := newStore(t, responses.Limits{})
	if err := s.Put(ctx, "alice", Response("resp_1", 10)); err != nil {
		t.Fatal(err)
	}
	for _, owner := range []string{"bob", "", "alice "} {
		for name, err := range map[string]error{
			"Get":       second(s.Get(ctx, owner, "resp_1")),
			"GetByItem": second(s.GetByItem(ctx, owner, "msg_resp_1")),
			"Delete":    s.Delete(ctx, owner, "resp_1"),
		} {
			if !errors.Is(err, responses.ErrNotFound) {
				t.Errorf("%s by %q of alice's response: %v, want ErrNotFound", name, owner, err)
			}
		}
	}
	if _, err := s.Get(ctx, "alice", "resp_1"); err != nil {
		t.Errorf("alice's response after the others tried: %v", err)
	}
	// The same id under two owners is two responses.
	if err := s.Put(ctx, "bob", Response("resp_1", 20)); err != nil {
		t.Fatal(err)
	}
	a, errA := s.Get(ctx, "alice", "resp_1")
	b, errB := s.Get(ctx, "bob", "resp_1")
	if errA != nil || errB != nil || a.Input[0].Content.Text() == b.Input[0].Content.Text() {
		t.Errorf("one id, two owners: %v %v", errA, errB)
	}
}

func second(_ *responses.Stored, err error) error { return err }

func replaceAndDelete(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	s := newStore(t, responses.Limits{})
	_ = s.Put(ctx, "alice", Response("resp_1", 10))
	if err := s.Put(ctx, "alice", Response("resp_1", 30)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "alice", "resp_1"); err != nil || len(got.Input[0].Content.Text()) != 30 {
		t.Errorf("after replacing: %v", err)
	}
	if err := s.Delete(ctx, "alice", "resp_1"); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"Get":       second(s.Get(ctx, "alice", "resp_1")),
		"GetByItem": second(s.GetByItem(ctx, "alice", "msg_resp_1")),
		"Delete":    s.Delete(ctx, "alice", "resp_1"),
	} {
		if !errors.Is(err, responses.ErrNotFound) {
			t.Errorf("%s after Delete: %v", name, err)
		}
	}
}

func tooLarge(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	s := newStore(t, responses.Limits{MaxResponseBytes: 4 << 10})
	if err := s.Put(ctx, "alice", Response("resp_big", 5<<10)); !errors.Is(err, responses.ErrTooLarge) {
		t.Errorf("Put over the cap: %v, want ErrTooLarge", err)
	}
	if _, err := s.Get(ctx, "alice", "resp_big"); !errors.Is(err, responses.ErrNotFound) {
		t.Errorf("Get of the refused response: %v", err)
	}
	if err := s.Put(ctx, "alice", Response("resp_small", 1<<10)); err != nil {
		t.Errorf("Put under the cap: %v", err)
	}
}

// flood: bob writes ten times what the store holds; alice's responses,
// within her share, stay, and bob keeps his newest.
func flood(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	s := newStore(t, responses.Limits{MaxBytes: 64 << 10, OwnerBytes: 16 << 10, MaxResponseBytes: 4 << 10})
	for i := range 3 {
		if err := s.Put(ctx, "alice", Response(fmt.Sprintf("resp_a%d", i), 1000)); err != nil {
			t.Fatal(err)
		}
	}
	const n = 320 // about 640 KiB
	for i := range n {
		if err := s.Put(ctx, "bob", Response(fmt.Sprintf("resp_b%03d", i), 1000)); err != nil {
			t.Fatalf("bob's Put %d: %v", i, err)
		}
	}
	for i := range 3 {
		if _, err := s.Get(ctx, "alice", fmt.Sprintf("resp_a%d", i)); err != nil {
			t.Errorf("alice's response %d after bob's flood: %v", i, err)
		}
	}
	if _, err := s.Get(ctx, "bob", "resp_b000"); !errors.Is(err, responses.ErrNotFound) {
		t.Errorf("bob's oldest after his flood: %v", err)
	}
	if _, err := s.Get(ctx, "bob", fmt.Sprintf("resp_b%03d", n-1)); err != nil {
		t.Errorf("bob's newest: %v", err)
	}
}
