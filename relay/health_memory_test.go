package relay_test

import (
	"testing"

	"github.com/oaicompat/oaicompat/relay"
	"github.com/oaicompat/oaicompat/relay/relaytest"
)

// TestMemoryHealth runs the contract every Health follows (shared with the
// Redis implementation's tests).
func TestMemoryHealth(t *testing.T) {
	relaytest.HealthContract(t, func(p relay.CooldownPolicy) relay.Health { return relay.NewMemoryHealth(p) })
}
