package oaitest

import (
	"context"
	"math/rand/v2"
	"time"
)

// Pacing says how fast a reply is produced: a delay before the first token
// (time to first token), then a delay before each further token, given as
// PerToken or as TokensPerSecond. Jitter in [0,1] scales each delay by a
// factor drawn uniformly from [1-Jitter, 1+Jitter] with a generator seeded
// by Seed, so a paced run is reproducible. Pacing applies to streamed and
// non-streamed replies alike (a non-streamed reply arrives after the sum).
// The delays are slept on the Mock's Clock.
type Pacing struct {
	TTFT            time.Duration
	PerToken        time.Duration
	TokensPerSecond float64
	Jitter          float64
	Seed            uint64
}

// tokenDelay returns the delay between two tokens.
func (p *Pacing) tokenDelay() time.Duration {
	if p.PerToken > 0 {
		return p.PerToken
	}
	if p.TokensPerSecond > 0 {
		return time.Duration(float64(time.Second) / p.TokensPerSecond)
	}
	return 0
}

// pacer sleeps the delays of one reply.
type pacer struct {
	p     *Pacing
	clock Clock
	rng   *rand.Rand
	first bool
}

func newPacer(p *Pacing, clock Clock) *pacer {
	if p == nil {
		return &pacer{}
	}
	return &pacer{p: p, clock: clock, rng: rand.New(rand.NewPCG(p.Seed, 0x6f6169746573740a)), first: true}
}

// next waits before the next token: TTFT before the first, the per-token
// delay before the others.
func (pc *pacer) next(ctx context.Context) error {
	if pc.p == nil {
		return ctx.Err()
	}
	d := pc.p.tokenDelay()
	if pc.first {
		d, pc.first = pc.p.TTFT, false
	}
	if j := pc.p.Jitter; j > 0 && d > 0 {
		d = time.Duration(float64(d) * (1 - j + 2*j*pc.rng.Float64()))
	}
	return pc.clock.Sleep(ctx, d)
}
