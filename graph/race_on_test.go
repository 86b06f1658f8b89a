//go:build race

package graph_test

// raceDetector: the race detector multiplies memory use, so memory bounds
// are not checked under it.
const raceDetector = true
