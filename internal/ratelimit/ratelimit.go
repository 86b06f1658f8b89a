// Package ratelimit owns the token buckets that hold each API key to its
// rate. A key's bucket holds at most Burst tokens and regains PerSecond
// tokens a second, up to Burst; a request spends its cost in tokens, at
// once, or waits (the client does: the limiter says how long). A new
// bucket is full.
//
// The buckets live in the process: with several servers, each holds a key
// to its rate, so N servers allow N times the rate.
package ratelimit

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/acme/crm/internal/clock"
)

// Limit is a bucket's size and rate.
type Limit struct {
	// Burst is the most a key may spend at once: a request that costs more
	// can never run under this limit.
	Burst int
	// PerSecond is what the bucket regains a second.
	PerSecond float64
}

// Default is the limit of a key that sets none, unless the server is told
// otherwise. Burst is the default cost budget of a request (graph.Limits),
// so that any request the budget admits can run on a full bucket; an empty
// bucket is full again in 20 s.
var Default = Limit{Burst: 500_000, PerSecond: 25_000}

// Check refuses a limit that would refuse every request.
func (l Limit) Check() error {
	if l.Burst < 1 {
		return fmt.Errorf("the burst (rateBurst) must be at least 1, not %d", l.Burst)
	}
	if !(l.PerSecond > 0) || math.IsInf(l.PerSecond, 0) {
		return fmt.Errorf("the rate (ratePerSecond) must be a number of tokens a second over 0, not %v", l.PerSecond)
	}
	return nil
}

// OrDefault is l with the fields left zero (or below) taken from Default.
func (l Limit) OrDefault() Limit {
	if l.Burst <= 0 {
		l.Burst = Default.Burst
	}
	if !(l.PerSecond > 0) {
		l.PerSecond = Default.PerSecond
	}
	return l
}

// With is l with the fields a key sets in place of l's.
func (l Limit) With(burst *int, perSecond *float64) Limit {
	if burst != nil {
		l.Burst = *burst
	}
	if perSecond != nil {
		l.PerSecond = *perSecond
	}
	return l
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was computed
}

// Limiter holds the buckets of keys, by key id.
type Limiter struct {
	mu      sync.Mutex
	buckets map[int]*bucket
}

// New returns a limiter whose buckets are all full.
func New() *Limiter { return &Limiter{buckets: map[int]*bucket{}} }

// Take spends cost tokens from key's bucket under lim when it holds that
// many, and says so. When it does not it spends nothing and says how long
// until it will (cost over lim.Burst never will: check it first). The time
// is clock.Now's.
func (l *Limiter) Take(key int, lim Limit, cost int) (ok bool, wait time.Duration) {
	now := clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: float64(lim.Burst), at: now}
		l.buckets[key] = b
	}
	// A clock set back adds nothing, and the bucket fills from the new
	// time on: it never waits for the old time to come again.
	elapsed := max(now.Sub(b.at), 0)
	b.tokens, b.at = math.Min(float64(lim.Burst), b.tokens+elapsed.Seconds()*lim.PerSecond), now
	need := float64(cost)
	if b.tokens >= need {
		b.tokens -= need
		return true, 0
	}
	seconds := (need - b.tokens) / lim.PerSecond
	return false, time.Duration(math.Ceil(seconds * float64(time.Second)))
}
