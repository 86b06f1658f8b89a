package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/crm/graph/generated"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/auth"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/definition"
	"github.com/acme/crm/internal/domain"
	"github.com/acme/crm/internal/export"
	"github.com/acme/crm/internal/importer"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/observe"
	"github.com/acme/crm/internal/owners"
	"github.com/acme/crm/internal/page"
	"github.com/acme/crm/internal/ratelimit"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/requester"
	"github.com/acme/crm/internal/requestid"
	"github.com/acme/crm/internal/view"
	"github.com/acme/crm/internal/webhooks"
)

// Limits of one request.
const (
	// MaxBodyBytes fits a batch of 1,000 records with generous values.
	MaxBodyBytes = 16 << 20
	// MaxUploadBytes bounds a multipart request: the files of an import
	// (importer.MaxFiles of importer.MaxFileBytes at most) and its
	// operations.
	MaxUploadBytes = importer.MaxFiles*importer.MaxFileBytes + MaxBodyBytes
	// MaxUploadMemory is how much of a multipart request is held in
	// memory; the rest waits in temporary files.
	MaxUploadMemory = 1 << 20
	// MaxIDs bounds nodes(ids:).
	MaxIDs = page.MaxSize
)

// Config is what the API needs to serve.
type Config struct {
	DB *db.DB
	// Auth is whether requests need an API key; with AuthLocal, requests
	// without one work in WorkspaceID until a key exists.
	Auth        AuthMode
	WorkspaceID int
	Logger      *slog.Logger
	// Limits are the request's budgets; zero fields take DefaultLimits'.
	Limits Limits
	// CORSOrigins are the origins whose web pages may call the API from a
	// browser (http_cors.go): none by default, "*" for any.
	CORSOrigins []string
	// NoReadPlans answers every field through gqlgen's executor: no page of
	// records is written by a read plan (readplan.go). Plans answer the
	// same bytes faster; this is the way around one should it ever not.
	NoReadPlans bool
	// ImportDir is where uploaded files wait for their import; by default
	// crm-imports in the system's temporary folder.
	ImportDir string
	// RateLimit is the token bucket of an API key that sets none (its
	// zero fields take ratelimit.Default's); see ratelimit.go.
	RateLimit ratelimit.Limit
	// Metrics count the loaders' batches; nil counts nothing. (The
	// requests' metrics are observe.Requests', around the whole server.)
	Metrics *observe.Metrics
	// Webhooks say how webhooks are checked and delivered (the worker
	// that delivers them runs beside the handler: webhooks.Store.Run).
	Webhooks webhooks.Config
}

// withoutDefer takes @defer out of the schema, once, before any handler
// serves (the parsed schema is one for every handler). @defer needs a
// transport that delivers increments, which clients would have to ask for;
// over plain JSON gqlgen answers the deferred part as null and never sends
// the rest. Until the API delivers it, the schema does not offer it: a
// document that uses it is refused.
var withoutDefer sync.Once

// maxCachedQuery is the longest query the caches keep: the caches count
// entries, so their memory is bounded only when each entry is.
const maxCachedQuery = 64 << 10

// smallOnly is a cache that keeps no query over maxCachedQuery bytes.
type smallOnly[T any] struct {
	graphql.Cache[T]
	size func(key string, value T) int
}

func (c smallOnly[T]) Add(ctx context.Context, key string, value T) {
	if c.size(key, value) <= maxCachedQuery {
		c.Cache.Add(ctx, key, value)
	}
}

// Handler is the GraphQL endpoint.
type Handler struct {
	http.Handler
	planned atomic.Int64
	shared  atomic.Int64
	res     *Resolver
	gate    *gate
	typed   http.Handler
}

// PlannedFields counts the root fields read plans have answered.
func (h *Handler) PlannedFields() int64 { return h.planned.Load() }

// SharedEvents counts the subscription events answered from the render
// of the same event for another subscriber (fanout.go).
func (h *Handler) SharedEvents() int64 { return h.shared.Load() }

// NewHandler returns the GraphQL endpoint: POST and GET queries, multipart
// requests, a query cache, automatic persisted queries, a complexity limit,
// typed error codes and a recover func that hides internals.
func NewHandler(cfg Config) *Handler {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	// Definitions changed through other server processes are heard, so
	// that requests need not read the schema version (meta.Cache).
	cfg.DB.WatchDefinitions()
	st := domain.New(cfg.DB, cfg.ImportDir, logger)
	st.Imports.Rows = cfg.Metrics.ImportRows
	res := &Resolver{records: st.Records, activities: st.Activities, assoc: st.Links, definitions: definition.New(cfg.DB, st.Write),
		views: view.New(cfg.DB, st.Write), lists: st.Lists, defs: meta.NewCache(cfg.DB), logger: logger, imports: st.Imports,
		exports: export.New(cfg.DB), keys: auth.New(cfg.DB), metrics: cfg.Metrics, owners: owners.New(cfg.DB, st.Write), trail: audit.NewTrail(cfg.DB),
		broker: st.Events, webhooks: webhooks.New(cfg.DB, cfg.Webhooks)}
	res.gate = &gate{keys: res.keys, mode: cfg.Auth, workspaceID: cfg.WorkspaceID, logger: logger}
	es := generated.NewExecutableSchema(generated.Config{Resolvers: res, Directives: directives})
	withoutDefer.Do(func() { delete(es.Schema().Directives, "defer") })
	res.types = indexTypes(es.Schema())
	srv := handler.New(costed{es, res})
	// OPTIONS, methods, media types and CSRF are withHTTP's; protocol
	// gives gqlgen's answers the status, media type and form of GraphQL
	// over HTTP (http.go).
	// Subscriptions (stream.go): WebSocket upgrades and POSTs that accept
	// text/event-stream, which streams reaches before withHTTP's rules.
	srv.AddTransport(websocketTransport(res))
	srv.AddTransport(transport.SSE{KeepAlivePingInterval: keepAlive})
	srv.AddTransport(protocol{transport.GET{}})
	srv.AddTransport(protocol{transport.POST{}})
	// Uploads (startImport) stream: parts past MaxUploadMemory go to
	// temporary files, never whole into memory.
	srv.AddTransport(protocol{transport.MultipartForm{MaxUploadSize: MaxUploadBytes, MaxMemory: MaxUploadMemory}})
	srv.SetQueryCache(smallOnly[*ast.QueryDocument]{lru.New[*ast.QueryDocument](1000), func(query string, _ *ast.QueryDocument) int { return len(query) }})
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: smallOnly[string]{lru.New[string](100), func(_, query string) int { return len(query) }}})
	limits := cfg.Limits.orDefault()
	srv.SetParserTokenLimit(limits.Tokens)
	srv.Use(&oneOfVariables{})
	srv.Use(newBudget(limits))
	srv.Use(extension.FixedComplexityLimit(limits.Cost))
	// After the complexity limit, whose cost it spends.
	limiter := ratelimit.New()
	srv.Use(rateLimit{limiter: limiter, defaults: cfg.RateLimit.OrDefault()})
	srv.Use(observed{})
	h := &Handler{res: res, gate: res.gate}
	around := aroundRootFields(cfg, res, h)
	srv.AroundRootFields(around)
	srv.Use(newStreamEvents(res, &h.shared))
	srv.SetErrorPresenter(presentError(logger))
	srv.SetRecoverFunc(recoverFunc(logger))
	// The typed endpoint runs its translated operations through the
	// generic schema with the same root fields' middleware.
	inner := executor.New(costed{es, res})
	inner.AroundRootFields(around)
	inner.SetQueryCache(smallOnly[*ast.QueryDocument]{lru.New[*ast.QueryDocument](1000), func(query string, _ *ast.QueryDocument) int { return len(query) }})
	inner.SetErrorPresenter(presentError(logger))
	inner.SetRecoverFunc(recoverFunc(logger))
	h.typed = newTyped(cfg, res, inner, es.Schema(), limiter, limits, logger)
	// The key is checked before the body is read: a client without one
	// cannot make the server read, or parse, a body.
	body := limitBody(srv)
	serve := func(w http.ResponseWriter, r *http.Request, v *auth.Viewer) {
		body.ServeHTTP(w, r.WithContext(res.sessionContext(r.Context(), v)))
	}
	h.Handler = requestid.Handler(streams(cfg.CORSOrigins, srv, h.gate.authenticate(serve),
		withHTTP(cfg.CORSOrigins, withTimeout(limits.Timeout, h.gate.authenticate(serve)))))
	return h
}

// aroundRootFields is the middleware of every root field, the typed
// endpoint's translated ones too. A mutation changes what the request's
// loaders hold: each mutation field reads afresh. A page of records whose
// selection a read plan knows is answered without the executor
// (readplan.go); field middleware would not see the fields of such a page.
func aroundRootFields(cfg Config, res *Resolver, h *Handler) func(context.Context, graphql.RootResolver) graphql.Marshaler {
	return func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
		ctx, end := rootSpan(ctx)
		defer end()
		if graphql.GetOperationContext(ctx).Operation.Operation == ast.Mutation {
			loadersOf(ctx).clear()
			ctx = db.UnshareSync(ctx)
		}
		if !cfg.NoReadPlans && rootFieldAllowed(ctx) {
			if out, ok := res.readRecords(ctx); ok {
				h.planned.Add(1)
				return out
			}
		}
		return next(ctx)
	}
}

// Typed is the typed endpoint (typed.go), served at TypedPath.
func (h *Handler) Typed() http.Handler { return h.typed }

// Subscribers counts the subscriptions open on this handler's process.
func (h *Handler) Subscribers() int { return h.res.broker.Subscribers() }

// sessionContext is ctx with the session of a request of v: its actor,
// owner, workspace and loaders.
func (r *Resolver) sessionContext(ctx context.Context, v *auth.Viewer) context.Context {
	ctx = requester.WithOwner(audit.WithActor(ctx, v.Actor()), v.OwnerID())
	return withSession(ctx, &session{viewer: v, workspaceID: v.WorkspaceID, defs: r.defs, loaders: newLoaders(r)})
}

// withTimeout gives a request its deadline, which cancels its database
// work (the key's check included), as the client going away does.
func withTimeout(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// limitBody refuses a body over MaxBodyBytes (LIMIT_EXCEEDED) and a JSON
// body that does not parse (BAD_USER_INPUT) before gqlgen reads them, so
// that these refusals carry a code like every other. A multipart body
// streams to the transport, which bounds it by MaxUploadBytes.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == mediaMultipart {
			// Read as it comes by the multipart transport, which bounds
			// it (MaxUploadBytes) and keeps its files on disk.
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
		if err != nil {
			refuse(w, r, http.StatusBadRequest, apierr.BadUserInput, "could not read the request body")
			return
		}
		if len(body) > MaxBodyBytes {
			refuse(w, r, http.StatusRequestEntityTooLarge, apierr.LimitExceeded, "the request body is over the limit of 16 MiB")
			return
		}
		if isJSON(r) && !json.Valid(body) {
			refuse(w, r, http.StatusBadRequest, apierr.BadUserInput, "the request body is not valid JSON")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

func isJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == mediaJSON
}

// costed makes a connection cost its page size times what each item
// selects, so that nested pages multiply as the rows they may load do, and
// a record's properties the values they may hold. It reads the arguments
// through the one decoder.
type costed struct {
	graphql.ExecutableSchema
	res *Resolver
}

// propertiesCost is what all of a record's properties cost: a record
// holds a few dozen values.
const propertiesCost = 20

func (s costed) Complexity(ctx context.Context, typeName, field string, child int, raw map[string]any) (int, bool) {
	a := args(raw)
	switch typeName + "." + field {
	case "Query.records":
		q, err := recordsQuery(a)
		return criteriaCost(cost(child, pageCost(q.Page, err)), q), true
	case "Record.associations":
		q, err := associationsQuery(a)
		return criteriaCost(cost(child, pageCost(q.Page, err)), q), true
	case "View.records":
		p, err := a.page()
		return cost(child, pageCost(p, err)), true
	case "List.records":
		q, err := listRecordsQuery(a)
		return criteriaCost(cost(child, pageCost(q.Page, err)), q), true
	case "Record.propertyHistory":
		q, err := historyQuery(a)
		return cost(child, pageCost(q.Page, err)), true
	case "Record.timeline":
		q, err := timelineQuery(a)
		return cost(child, pageCost(q.Page, err)), true
	case "Record.properties":
		if names, err := a.strings("names"); err == nil && names != nil {
			return max(1, len(names)), true
		}
		return propertiesCost, true
	case "Query.nodes":
		return cost(child, a.count("ids")), true
	}
	if list, ok := definitionLists[typeName+"."+field]; ok {
		if m, err := s.res.model(ctx); err == nil {
			return cost(child, list(m)), true
		}
	}
	return s.ExecutableSchema.Complexity(ctx, typeName, field, child, raw)
}

// definitionLists are the lists of definitions a selection may repeat
// under every record, with the most items each holds in the workspace's
// definitions: they cost that many times what each item selects.
var definitionLists = map[string]func(m *meta.Model) int{
	"Query.objectTypes": func(m *meta.Model) int { return len(m.ObjectTypes) },
	"Query.lists":       func(m *meta.Model) int { return len(m.Lists()) },
	"Record.lists":      func(m *meta.Model) int { return len(m.Lists()) },
	"ObjectType.properties": func(m *meta.Model) int {
		return mostOf(m, func(ot *meta.ObjectType) int { return len(ot.Properties) })
	},
	"ObjectType.propertyGroups": func(m *meta.Model) int {
		return mostOf(m, func(ot *meta.ObjectType) int { return len(ot.Groups) })
	},
	"ObjectType.pipelines": func(m *meta.Model) int {
		return mostOf(m, func(ot *meta.ObjectType) int { return len(ot.Pipelines) })
	},
	"Pipeline.stages": func(m *meta.Model) int {
		return mostOf(m, func(ot *meta.ObjectType) int {
			n := 0
			for _, p := range ot.Pipelines {
				n = max(n, len(p.Stages))
			}
			return n
		})
	},
	"Property.options": func(m *meta.Model) int {
		return mostOf(m, func(ot *meta.ObjectType) int {
			n := 0
			for _, p := range ot.Properties {
				n = max(n, len(p.Options))
			}
			return n
		})
	},
}

func mostOf(m *meta.Model, count func(*meta.ObjectType) int) int {
	n := 0
	for _, ot := range m.ObjectTypes {
		n = max(n, count(ot))
	}
	return n
}

// criterionCost is what each filter leaf, sort key and full-text query
// word adds to the read that carries it: the database evaluates each for
// every candidate row (a word: one more look-up in the full-text index).
const criterionCost = 10

// criteriaCost adds the cost of q's filter, sort and query to c,
// saturating.
func criteriaCost(c int, q records.Query) int {
	n := q.Filter.Leaves() + len(q.Sort)
	if q.Text != nil {
		n += len(q.Text.Words)
	}
	n *= criterionCost
	if c > math.MaxInt32-n {
		return math.MaxInt32
	}
	return c + n
}

// cost is one field selecting n items of what child costs, saturating
// rather than overflowing: no product of page sizes wraps round to cheap.
func cost(child, n int) int {
	if n > 0 && child > (math.MaxInt32-1)/n {
		return math.MaxInt32
	}
	return 1 + child*n
}
