package graph

import (
	"context"
	"fmt"
	"math"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/ratelimit"
)

// writeItemCost is what each item a mutation writes adds to its cost for
// the rate limit: what reading all of a record's properties costs. The
// cost model counts what an operation answers, which for a batch of
// writes is little beside what it writes.
const writeItemCost = propertiesCost

// rateLimit is the gqlgen extension that spends each request's cost from
// its API key's token bucket (package ratelimit), once the budgets have
// admitted it and before any field runs. The cost is the request-defences
// cost (Limits.Cost: the values it may answer) and writeItemCost for each
// item it writes. A request in local mode has no key and no limit.
type rateLimit struct {
	limiter *ratelimit.Limiter
	// defaults is the limit of a key that sets none.
	defaults ratelimit.Limit
}

var _ graphql.OperationContextMutator = rateLimit{}

func (rateLimit) ExtensionName() string                   { return "RateLimit" }
func (rateLimit) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext refuses a request its key may not spend now:
// RATE_LIMITED with how long to wait (HTTP 429 and Retry-After, http.go),
// or LIMIT_EXCEEDED when it costs more than the key's burst, which no wait
// would mend.
func (l rateLimit) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	v := sessionOf(ctx).viewer
	if v.Key == nil {
		return nil
	}
	lim := l.defaults.With(v.Key.RateBurst, v.Key.RatePerSecond)
	cost := requestCost(ctx, opCtx)
	if cost > lim.Burst {
		return limitError("the request costs %d, over the burst of %d of this API key's rate limit: it could never run under it; "+
			"ask for smaller pages, or use a key with a larger rateBurst", cost, lim.Burst)
	}
	ok, wait := l.limiter.Take(v.Key.ID, lim, cost)
	if ok {
		return nil
	}
	err := &apierr.Error{Code: apierr.RateLimited, RetryAfter: wait}
	err.Message = fmt.Sprintf("this API key has spent its rate for now (a burst of %d, %g a second; this request costs %d): send it again in %d s",
		lim.Burst, lim.PerSecond, cost, err.RetryAfterSeconds())
	return &gqlerror.Error{Message: err.Message, Err: err}
}

// requestCost is what a request spends from its key's bucket: its cost
// as the complexity limit computed it, and what it writes.
func requestCost(ctx context.Context, opCtx *graphql.OperationContext) int {
	c := 1
	if s := extension.GetComplexityStats(ctx); s != nil {
		c = max(c, s.Complexity)
	}
	w := writes(opCtx)
	if w > (math.MaxInt32-c)/writeItemCost {
		return math.MaxInt32
	}
	return c + w*writeItemCost
}
