package middleware

// MemoryStoreLen returns how many buckets s holds, for tests.
func MemoryStoreLen(s *MemoryStore) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tats)
}
