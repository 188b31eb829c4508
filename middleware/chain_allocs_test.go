package middleware_test

import (
	"testing"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/internal/testenv"
)

// maxChainAllocs is what productionChain may add to a request, in
// allocations (issue 12's budget).
const maxChainAllocs = 20

// TestProductionChainAllocs guards the allocations productionChain adds to
// a plain and a streamed chat completion, over the bare handler.
func TestProductionChainAllocs(t *testing.T) {
	if testenv.Race {
		t.Skip("the race detector allocates on its own; run without -race")
	}
	handler := oaicompat.NewHandler(twentyWords, oaicompat.WithKeepAlive(0))
	chain := productionChain()(handler)
	for _, stream := range []bool{false, true} {
		body := chatBody(stream)
		allocs := func(h func()) float64 { return testing.AllocsPerRun(200, h) }
		bare := allocs(func() { post(handler, body) })
		wrapped := allocs(func() {
			if rec := post(chain, body); rec.Code != 200 {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		})
		t.Logf("stream=%v: handler %.0f allocations, chain %.0f (+%.0f)", stream, bare, wrapped, wrapped-bare)
		if wrapped-bare > maxChainAllocs {
			t.Errorf("stream=%v: the chain adds %.0f allocations per request, want at most %d", stream, wrapped-bare, maxChainAllocs)
		}
	}
}
