package graph

import (
	"net/http"
	"sync/atomic"
)

// NewExecutorOnlyHandler is NewHandler answering every field through
// gqlgen's executor, never a read plan.
func NewExecutorOnlyHandler(cfg Config) http.Handler {
	cfg.executorOnly = true
	return NewHandler(cfg)
}

// NewPlanCountingHandler is NewHandler adding to planned each field a read
// plan answers.
func NewPlanCountingHandler(cfg Config, planned *atomic.Int64) http.Handler {
	cfg.onReadPlan = func() { planned.Add(1) }
	return NewHandler(cfg)
}
