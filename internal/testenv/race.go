//go:build race

package testenv

// buildFlags are the flags the test binary itself was built with that
// change what the compiler produces.
var buildFlags = []string{"-race"}

// Race reports whether the test binary was built with the race detector,
// whose instrumentation allocates and enlarges frames on its own (tests of
// allocations and stack sizes skip under it; CI runs them without).
const Race = true
