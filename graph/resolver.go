// Package graph is the GraphQL API: it translates between the schema and
// the domain packages under internal/. Resolvers stay thin: they decode
// arguments, call one domain function and map its result.
package graph

import (
	"context"
	"sync"

	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
)

// Resolver holds what every resolver needs.
type Resolver struct {
	records *records.Store
	defs    *meta.Cache
}

// session is what one request shares between its resolvers: the workspace
// it works in and that workspace's definitions, read once.
type session struct {
	workspaceID int
	defs        *meta.Cache
	once        sync.Once
	model       *meta.Model
	err         error
}

type sessionKey struct{}

func withSession(ctx context.Context, s *session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

// model returns the definitions of the request's workspace.
func (r *Resolver) model(ctx context.Context) (*meta.Model, error) {
	s := ctx.Value(sessionKey{}).(*session)
	s.once.Do(func() { s.model, s.err = s.defs.Get(ctx, s.workspaceID) })
	return s.model, s.err
}
