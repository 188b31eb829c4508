//go:build race

package middleware_test

// raceEnabled reports a build with the race detector, which allocates on
// its own: allocation counts are not checked under it.
const raceEnabled = true
