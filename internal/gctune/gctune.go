// Package gctune sets the garbage collector for serving GraphQL: every
// request allocates many short-lived objects (field contexts, goroutines,
// decoded values) while the live heap stays small, so the default target
// (GOGC=100) collects far more often than memory requires. Measured with
// make bench: p50 of the nested read 18 ms at 100, 14 ms at 400.
package gctune

import (
	"os"
	"runtime/debug"
)

// Percent is the GC target used unless GOGC is set.
const Percent = 400

// Apply sets the GC target to Percent unless the GOGC environment variable
// chose one.
func Apply() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(Percent)
	}
}
