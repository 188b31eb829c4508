package oaicompat

import "slices"

// idList is an ordered list of tool call ids that finds an id in constant
// time once it is long. A request may carry many thousands of calls, and a
// linear search for each answer made checking one quadratic: 20,000 calls
// took 0.7 s, and the default body limit allows ten times as many.
type idList struct {
	ids   []string
	index map[string]int // the first position of each id, once ids is long
}

// smallIDList is how many ids a linear search serves.
const smallIDList = 16

// The methods take and return values, so that a list kept in a local
// variable, with its ids in a local array, stays on the stack.

// reset returns the list emptied, keeping its storage.
func (l idList) reset() idList { return idList{ids: l.ids[:0]} }

// add returns the list with id appended.
func (l idList) add(id string) idList {
	l.ids = append(l.ids, id)
	switch {
	case l.index != nil:
		if _, ok := l.index[id]; !ok {
			l.index[id] = len(l.ids) - 1
		}
	case len(l.ids) > smallIDList:
		l.index = make(map[string]int, 2*len(l.ids))
		for j := len(l.ids) - 1; j >= 0; j-- { // backwards: the first position wins
			l.index[l.ids[j]] = j
		}
	}
	return l
}

// find returns the first position of id, or -1.
func (l idList) find(id string) int {
	if l.index == nil {
		return slices.Index(l.ids, id)
	}
	if j, ok := l.index[id]; ok {
		return j
	}
	return -1
}
