package ratelimit_test

import (
	"testing"
	"time"

	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/ratelimit"
)

var start = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestBucket(t *testing.T) {
	defer clock.Set(start)()
	l := ratelimit.New()
	lim := ratelimit.Limit{Burst: 10, PerSecond: 2}
	take := func(key, cost int, wantOK bool, wantWait time.Duration) {
		t.Helper()
		if ok, wait := l.Take(key, lim, cost); ok != wantOK || wait != wantWait {
			t.Fatalf("take %d from key %d: got %v %v, want %v %v", cost, key, ok, wait, wantOK, wantWait)
		}
	}
	// A new bucket is full; a request spends its cost at once.
	take(1, 7, true, 0)
	take(1, 3, true, 0)
	// Empty: one token comes in half a second; a refusal spends nothing.
	take(1, 1, false, 500*time.Millisecond)
	take(1, 4, false, 2*time.Second)
	// Another key has a bucket of its own.
	take(2, 10, true, 0)
	clock.Set(start.Add(1500 * time.Millisecond))
	take(1, 4, false, 500*time.Millisecond)
	take(1, 3, true, 0)
	// The bucket fills up to its burst, never beyond.
	clock.Set(start.Add(time.Hour))
	take(1, 10, true, 0)
	take(1, 1, false, 500*time.Millisecond)
	// A clock set back adds nothing, and the bucket fills from then on.
	clock.Set(start)
	take(1, 1, false, 500*time.Millisecond)
	clock.Set(start.Add(time.Second))
	take(1, 2, true, 0)
}

func TestLimit(t *testing.T) {
	// The defaults the README documents.
	if ratelimit.Default != (ratelimit.Limit{Burst: 500_000, PerSecond: 25_000}) {
		t.Fatalf("default %+v", ratelimit.Default)
	}
	if got := (ratelimit.Limit{}).OrDefault(); got != ratelimit.Default {
		t.Fatalf("zero or default: %+v", got)
	}
	if got := (ratelimit.Limit{PerSecond: 3}).OrDefault(); got != (ratelimit.Limit{Burst: ratelimit.Default.Burst, PerSecond: 3}) {
		t.Fatalf("rate set, or default: %+v", got)
	}
	burst, rate := 5, 0.5
	if got := ratelimit.Default.With(&burst, nil); got != (ratelimit.Limit{Burst: 5, PerSecond: ratelimit.Default.PerSecond}) {
		t.Fatalf("with burst: %+v", got)
	}
	if got := ratelimit.Default.With(nil, &rate); got != (ratelimit.Limit{Burst: ratelimit.Default.Burst, PerSecond: 0.5}) {
		t.Fatalf("with rate: %+v", got)
	}
	for _, bad := range []ratelimit.Limit{{Burst: 0, PerSecond: 1}, {Burst: 1, PerSecond: 0}, {Burst: 1, PerSecond: -1}} {
		if bad.Check() == nil {
			t.Errorf("%+v passed", bad)
		}
	}
	if err := ratelimit.Default.Check(); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkTake is the limiter's check of one request, from as many
// goroutines as there are processors, over 100 keys.
func BenchmarkTake(b *testing.B) {
	l := ratelimit.New()
	lim := ratelimit.Limit{Burst: 1 << 30, PerSecond: 1 << 30}
	b.RunParallel(func(pb *testing.PB) {
		key := 0
		for pb.Next() {
			key = (key + 1) % 100
			l.Take(key, lim, 100)
		}
	})
}
