package oaicompat

import (
	"strconv"
	"testing"
)

// TestIDList: find gives an id's first position, or -1, before and after
// the list grows past a linear search, duplicates and resets included.
func TestIDList(t *testing.T) {
	for _, n := range []int{0, 1, smallIDList, smallIDList + 1, 1000} {
		var l idList
		for round := range 2 { // the second round after a reset
			l = l.reset()
			for i := range n {
				l = l.add("call_" + strconv.Itoa(i))
			}
			l = l.add("call_0") // a duplicate keeps the first position
			for i := range n {
				if got := l.find("call_" + strconv.Itoa(i)); got != i {
					t.Fatalf("n %d, round %d: find(call_%d) = %d", n, round, i, got)
				}
			}
			if n == 0 && l.find("call_0") != 0 {
				t.Fatalf("n 0: the one id not found")
			}
			if got := l.find("call_" + strconv.Itoa(n+1)); got != -1 {
				t.Fatalf("n %d: an absent id found at %d", n, got)
			}
			if len(l.ids) != n+1 {
				t.Fatalf("n %d: %d ids kept", n, len(l.ids))
			}
		}
	}
}
