package responses

import "time"

// SetClock sets the clock of m, for tests of expiry.
func SetClock(m *MemoryStore, now func() time.Time) { m.now = now }
