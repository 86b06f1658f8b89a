package graph

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	lrucache "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/auth"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/ratelimit"
	"github.com/acme/crm/internal/requestid"
	"github.com/acme/crm/internal/typed"
)

// The typed endpoint (issue 20) serves, at /graphql/typed, a schema made
// from the request's workspace definitions (internal/typed): Contact with
// its email, Company with its contacts... It has its own path rather than
// a header or a parameter because generated clients and GraphiQL point
// at a URL and cache a schema per URL; /graphql keeps the generic
// contract unchanged.
//
// One engine answers both: a typed operation is translated into a generic
// one (typed_plan.go), which the generic schema executes through the same
// root-field middleware (read plans, prefetch, the write path), and its
// answer is reshaped into the typed one (typed_out.go). The typed server
// of a workspace is built once per schema version and shared by requests;
// a definition changed through any server process moves the version, so
// the next request builds the new one.

// TypedPath is the typed endpoint's path.
const TypedPath = "/graphql/typed"

// typedServers are the typed servers of the workspaces, each at the
// latest schema version seen. A server is built once per version, outside
// the lock, by the first request needing it; others wait for that build
// only. A build that fails is remembered for its version.
type typedServers struct {
	mu      sync.Mutex
	servers *lrucache.Cache[int, *typedEntry]
	build   func(m *meta.Model) (http.Handler, error)
}

// typedEntry is a workspace's typed server at one version, once built.
type typedEntry struct {
	version int64
	once    sync.Once
	server  http.Handler
	err     error
}

// get answers the server of m's workspace at m's version, building it the
// first time.
func (t *typedServers) get(m *meta.Model) (http.Handler, error) {
	t.mu.Lock()
	e, ok := t.servers.Get(m.WorkspaceID)
	if !ok || e.version != m.Version {
		e = &typedEntry{version: m.Version}
		t.servers.Add(m.WorkspaceID, e)
	}
	t.mu.Unlock()
	e.once.Do(func() { e.server, e.err = t.build(m) })
	return e.server, e.err
}

// typedCacheSize is how many workspaces' typed servers a process keeps.
const typedCacheSize = 256

// newTyped makes the typed endpoint beside the generic one: inner runs
// translated operations through the generic schema.
func newTyped(cfg Config, res *Resolver, inner *executor.Executor, generic *ast.Schema, limiter *ratelimit.Limiter, limits Limits, logger *slog.Logger) http.Handler {
	servers, _ := lrucache.New[int, *typedEntry](typedCacheSize)
	ts := &typedServers{servers: servers}
	ts.build = func(m *meta.Model) (http.Handler, error) {
		s, err := typed.Build(m)
		if err != nil {
			return nil, err
		}
		es := &typedSchema{schema: s, generic: generic, inner: inner, res: res, plans: lru.New[*typedPlan](200)}
		srv := handler.New(es)
		srv.AddTransport(protocol{transport.GET{}})
		srv.AddTransport(protocol{transport.POST{}})
		srv.SetQueryCache(smallOnly[*ast.QueryDocument]{lru.New[*ast.QueryDocument](200), func(query string, _ *ast.QueryDocument) int { return len(query) }})
		srv.Use(extension.Introspection{})
		srv.Use(extension.AutomaticPersistedQuery{Cache: smallOnly[string]{lru.New[string](100), func(_, query string) int { return len(query) }}})
		srv.SetParserTokenLimit(limits.Tokens)
		srv.Use(newBudget(limits))
		srv.Use(extension.FixedComplexityLimit(limits.Cost))
		srv.Use(rateLimit{limiter: limiter, defaults: cfg.RateLimit.OrDefault()})
		srv.Use(observed{})
		srv.SetErrorPresenter(presentError(logger))
		srv.SetRecoverFunc(recoverFunc(logger))
		return limitBody(srv), nil
	}
	serve := func(w http.ResponseWriter, r *http.Request, v *auth.Viewer) {
		// The typed schema is the definitions, which the generic schema
		// shows to RECORDS_READ only (objectTypes).
		if !v.Allows(auth.RecordsRead) {
			refuse(w, r, http.StatusForbidden, apierr.Forbidden, "the typed endpoint needs the RECORDS_READ scope: its schema is the workspace's definitions")
			return
		}
		ctx := res.sessionContext(r.Context(), v)
		m, err := res.model(ctx)
		if err == nil {
			var s http.Handler
			if s, err = ts.get(m); err == nil {
				s.ServeHTTP(w, r.WithContext(ctx))
				return
			}
		}
		switch {
		case r.Context().Err() != nil:
			refuse(w, r, http.StatusServiceUnavailable, apierr.Timeout, "the request ran past its deadline and was cancelled")
		case db.Transient(err):
			refuse(w, r, http.StatusServiceUnavailable, apierr.Unavailable, "the database is unavailable for the moment (restarting, or too busy); send the request again")
		default:
			logger.ErrorContext(ctx, "internal error: the typed schema could not be made", "error", err)
			refuse(w, r, http.StatusInternalServerError, apierr.Internal, "internal server error")
		}
	}
	return requestid.Handler(withHTTP(cfg.CORSOrigins, withTimeout(limits.Timeout, res.gate.authenticate(serve))))
}

// typedSchema is the ExecutableSchema of one typed schema.
type typedSchema struct {
	schema  *typed.Schema
	generic *ast.Schema
	inner   *executor.Executor
	res     *Resolver
	// plans are the translations of the operations served, by document
	// and operation name.
	plans *lru.LRU[*typedPlan]
}

func (s *typedSchema) Schema() *ast.Schema { return s.schema.AST }

// Complexity costs a typed field as the generic field it becomes: a page
// its size times what each item selects, with its filter and sort.
func (s *typedSchema) Complexity(ctx context.Context, typeName, field string, child int, raw map[string]any) (int, bool) {
	generic, gargs, ok := s.genericField(typeName, field, raw)
	if !ok {
		return 0, false
	}
	return costed{res: s.res}.Complexity(ctx, generic[0], generic[1], child, gargs)
}

// genericField answers the generic type and field a typed connection
// field becomes, with its arguments converted; false for other fields.
func (s *typedSchema) genericField(typeName, field string, raw map[string]any) ([2]string, map[string]any, bool) {
	if typeName == "Query" {
		if r, ok := s.schema.Query[field]; ok && r.Kind == typed.List {
			// On a refused argument, what was converted: the field fails
			// anyway, but is not costed as a page of the most records.
			gargs, _ := listArgs(r.Object, raw)
			return [2]string{"Query", "records"}, gargs, true
		}
		return [2]string{}, nil, false
	}
	o, ok := s.schema.Objects[typeName]
	if !ok {
		return [2]string{}, nil, false
	}
	f, ok := o.Fields[field]
	if !ok || f.Kind != typed.Association {
		return [2]string{}, nil, false
	}
	gargs, _ := associationArgs(f.Target, raw)
	return [2]string{"Record", "associations"}, gargs, true
}

// Exec answers an operation: its introspection fields from the typed
// schema, its other fields through the generic schema.
func (s *typedSchema) Exec(ctx context.Context) graphql.ResponseHandler {
	opCtx := graphql.GetOperationContext(ctx)
	if opCtx.Operation.Operation == ast.Subscription {
		graphql.AddError(ctx, apierr.New(apierr.BadUserInput, "the typed endpoint has no subscriptions: subscribe at /graphql"))
		return graphql.OneShot(&graphql.Response{})
	}
	plan, err := s.plan(ctx, opCtx)
	if err != nil {
		graphql.AddError(ctx, err)
		return graphql.OneShot(&graphql.Response{})
	}
	return func(ctx context.Context) *graphql.Response {
		return s.run(ctx, opCtx, plan)
	}
}

// run executes plan's generic operation and reshapes its answer.
func (s *typedSchema) run(ctx context.Context, opCtx *graphql.OperationContext, plan *typedPlan) *graphql.Response {
	var generic *graphql.Response
	var refused []*gqlerror.Error
	if len(plan.pieces) > 0 {
		query, vars, fieldErrs, data, err := plan.variables(ctx, s, opCtx.Variables)
		switch {
		case err != nil:
			return &graphql.Response{Errors: gqlerror.List{s.present(ctx, err)}}
		case !data:
			return &graphql.Response{Data: json.RawMessage("null"), Errors: fieldErrs}
		}
		refused = fieldErrs
		if query != "" {
			params := &graphql.RawParams{Query: query, Variables: vars, ReadTime: opCtx.Stats.Read}
			gctx, errs := s.inner.CreateOperationContext(ctx, params)
			if errs != nil {
				return &graphql.Response{Errors: errs}
			}
			responses, rctx := s.inner.DispatchOperation(ctx, gctx)
			generic = responses(rctx)
		}
	}
	out, errs := plan.reshape(ctx, s, generic)
	resp := &graphql.Response{Data: out}
	resp.Errors = append(resp.Errors, refused...)
	if generic != nil {
		resp.Errors = append(resp.Errors, generic.Errors...)
	}
	for _, err := range errs {
		resp.Errors = append(resp.Errors, s.present(ctx, err))
	}
	return resp
}

// present gives err its code as every error of the API has.
func (s *typedSchema) present(ctx context.Context, err error) *gqlerror.Error {
	var gerr *gqlerror.Error
	if errors.As(err, &gerr) && gerr.Extensions != nil {
		return gerr
	}
	return presentError(s.res.logger)(ctx, err)
}

// plan answers the translation of opCtx's operation, made once per
// document and operation name.
func (s *typedSchema) plan(ctx context.Context, opCtx *graphql.OperationContext) (*typedPlan, error) {
	key := opCtx.OperationName + "\x00" + opCtx.RawQuery
	if p, ok := s.plans.Get(ctx, key); ok {
		return p, nil
	}
	p, err := translate(s.schema, s.generic, opCtx)
	if err != nil {
		return nil, err
	}
	if p.cacheable && len(opCtx.RawQuery) <= maxCachedQuery {
		s.plans.Add(ctx, key, p)
	}
	return p, nil
}

// recoverFunc logs a panic and answers an internal error that hides it.
func recoverFunc(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "panic in resolver", "panic", p, "stack", string(debug.Stack()))
		return errors.New("internal server error")
	}
}
