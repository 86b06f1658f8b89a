//go:build !unix

package db

import (
	"context"
	"os"
)

// lockFile does not lock where flock does not exist (Windows): there,
// servers started together on one new SQLite file are not serialized.
func lockFile(ctx context.Context, f *os.File) error { return nil }

func unlockFile(f *os.File) error { return nil }
