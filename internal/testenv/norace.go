//go:build !race

package testenv

var buildFlags []string

// Race reports whether the test binary was built with the race detector,
// whose instrumentation allocates and enlarges frames on its own (tests of
// allocations and stack sizes skip under it; CI runs them without).
const Race = false
