package responses_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/oaicompat/oaicompat/responses"
	"github.com/oaicompat/oaicompat/responses/storetest"
)

// BenchmarkMemoryStoreFlood stores 1 GiB of responses (of 1 MiB, then of
// 1 KiB of text) into a store with the default limits (256 MiB) and
// reports the live heap after GC against what the store holds:
//
//	go test -run '^$' -bench MemoryStoreFlood -benchtime 1x ./responses
func BenchmarkMemoryStoreFlood(b *testing.B) {
	for _, size := range []int{1 << 20, 1 << 10} {
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				m := responses.NewMemoryStore(responses.Limits{})
				for i := range (1 << 30) / size {
					if err := m.Put(ctx, "", storetest.Response(fmt.Sprintf("resp_%07d", i), size)); err != nil {
						b.Fatal(err)
					}
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MiB")
				b.ReportMetric(float64(m.Bytes())/(1<<20), "held-MiB")
				b.ReportMetric(float64(m.Len()), "responses")
				runtime.KeepAlive(m)
			}
		})
	}
}
