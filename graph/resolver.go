// Package graph is the GraphQL API: it translates between the schema and
// the domain packages under internal/. Resolvers stay thin: they decode
// arguments, call one domain function and map its result.
package graph

import (
	"context"
	"log/slog"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/crm/internal/activity"
	"github.com/acme/crm/internal/assoc"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/auth"
	"github.com/acme/crm/internal/definition"
	"github.com/acme/crm/internal/events"
	"github.com/acme/crm/internal/export"
	"github.com/acme/crm/internal/importer"
	"github.com/acme/crm/internal/lists"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/observe"
	"github.com/acme/crm/internal/owners"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/view"
	"github.com/acme/crm/internal/webhooks"
)

// Resolver holds what every resolver needs.
type Resolver struct {
	records     *records.Store
	activities  *activity.Store
	assoc       *assoc.Store
	definitions *definition.Store
	views       *view.Store
	lists       *lists.Store
	imports     *importer.Engine
	logger      *slog.Logger
	exports     *export.Store
	defs        *meta.Cache
	types       typeIndex
	keys        *auth.Store
	trail       *audit.Trail
	gate        *gate
	metrics     *observe.Metrics
	owners      *owners.Store
	broker      *events.Broker
	webhooks    *webhooks.Store
}

// typeIndex answers, from the parsed schema, the type conditions a
// selection on an object type matches: the type, the interfaces it
// implements and the unions that hold it.
type typeIndex map[string][]string

func indexTypes(s *ast.Schema) typeIndex {
	out := typeIndex{}
	for name, def := range s.Types {
		if def.Kind != ast.Object {
			continue
		}
		names := []string{name}
		for _, t := range s.GetImplements(def) {
			names = append(names, t.Name)
		}
		out[name] = names
	}
	return out
}

func (t typeIndex) satisfies(typeName string) []string {
	if names, ok := t[typeName]; ok {
		return names
	}
	return []string{typeName}
}

// session is what one request shares between its resolvers: who makes it
// (auth.Viewer), the workspace it works in (the viewer's), that
// workspace's definitions, read once, and the request's own loaders
// (never shared between requests, so never stale).
type session struct {
	viewer      *auth.Viewer
	workspaceID int
	defs        *meta.Cache
	loaders     *loaders
	mu          sync.Mutex
	model       *meta.Model
}

type sessionKey struct{}

func withSession(ctx context.Context, s *session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

func sessionOf(ctx context.Context) *session { return ctx.Value(sessionKey{}).(*session) }

// model returns the definitions of the request's workspace.
func (r *Resolver) model(ctx context.Context) (*meta.Model, error) {
	s := sessionOf(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.model != nil {
		return s.model, nil
	}
	m, err := s.defs.Get(ctx, s.workspaceID)
	if err != nil {
		return nil, err
	}
	s.model = m
	return m, nil
}

// reloadModel reads the definitions again after a mutation changed them.
func (r *Resolver) reloadModel(ctx context.Context) (*meta.Model, error) {
	s := sessionOf(ctx)
	s.mu.Lock()
	s.model = nil
	s.mu.Unlock()
	return r.model(ctx)
}
