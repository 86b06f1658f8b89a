// Package clock is where the server reads the time for what depends on
// "now" in a request's meaning, such as relative dates in filters ("-P90D"
// is ninety days before now). Tests set it; the server never does.
package clock

import (
	"sync/atomic"
	"time"
)

var fixed atomic.Pointer[time.Time]

// Now is the current time, UTC, truncated to microseconds (what the
// databases store), or the time a test set.
func Now() time.Time {
	if t := fixed.Load(); t != nil {
		return *t
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// Set fixes Now at t until the returned function restores the real clock.
// For tests that do not run in parallel with others reading the clock.
func Set(t time.Time) (restore func()) {
	t = t.UTC()
	fixed.Store(&t)
	return func() { fixed.Store(nil) }
}
