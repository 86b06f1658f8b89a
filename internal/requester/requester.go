// Package requester holds, in a request's context, the owner the request
// is tied to (its API key's), under a private key: what a filter's "me"
// names, deep in the domain, without every signature carrying it.
package requester

import "context"

type ownerKey struct{}

// WithOwner returns ctx of a request tied to owner id (0: none).
func WithOwner(ctx context.Context, id int) context.Context {
	return context.WithValue(ctx, ownerKey{}, id)
}

// Owner is the id of the owner ctx's request is tied to; 0 when it is
// tied to none.
func Owner(ctx context.Context) int {
	id, _ := ctx.Value(ownerKey{}).(int)
	return id
}
