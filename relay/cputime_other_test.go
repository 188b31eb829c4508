//go:build !unix

package relay_test

import "time"

// processCPU is not measured here: BenchmarkOverhead reports no cpu-ns/op.
func processCPU() time.Duration { return 0 }
