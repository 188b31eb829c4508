//go:build race

package testenv

// buildFlags are the flags the test binary itself was built with that
// change what the compiler produces.
var buildFlags = []string{"-race"}
