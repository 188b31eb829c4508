package responses_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/oaicompat/oaicompat/responses"
	"github.com/oaicompat/oaicompat/responses/storetest"
)

// A MemoryStore of 1 MiB where each owner is guaranteed 256 KiB, responses
// are kept ten minutes and none larger than 64 KiB is stored. Owners see
// only their own responses.
func ExampleNewMemoryStore() {
	store := responses.NewMemoryStore(responses.Limits{MaxBytes: 1 << 20, OwnerBytes: 256 << 10, MaxResponseBytes: 64 << 10, MaxAge: 10 * time.Minute})
	ctx := context.Background()
	_ = store.Put(ctx, "alice", storetest.Response("resp_1", 100))

	r, err := store.Get(ctx, "alice", "resp_1")
	fmt.Println("alice:", r.Response.ID, err)
	_, err = store.Get(ctx, "bob", "resp_1")
	fmt.Println("bob:", errors.Is(err, responses.ErrNotFound))
	fmt.Println("too large:", errors.Is(store.Put(ctx, "alice", storetest.Response("resp_2", 100<<10)), responses.ErrTooLarge))
	// Output:
	// alice: resp_1 <nil>
	// bob: true
	// too large: true
}
