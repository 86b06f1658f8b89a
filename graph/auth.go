package graph

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/acme/crm/graph/generated"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/auth"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/gid"
)

// AuthMode is whether requests need an API key.
type AuthMode int

const (
	// AuthLocal serves requests without a key as long as no key exists
	// (a server bound to this machine, or the tests): they work in
	// Config.WorkspaceID with every scope. Once a key exists, every
	// request needs one, as with AuthRequired.
	AuthLocal AuthMode = iota
	// AuthRequired asks every request for a key.
	AuthRequired
)

// localRecheck is how long a server in local mode trusts that no key
// exists: a key made by another process (crm keys create) is asked for
// within this time; one made through this server, at once.
const localRecheck = time.Second

// gate finds who makes a request: its key, or the local viewer while a
// server in local mode has no key.
type gate struct {
	keys        *auth.Store
	mode        AuthMode
	workspaceID int
	logger      *slog.Logger

	mu sync.Mutex
	// keysSeen: a key exists (keys are revoked, never deleted, so this
	// never turns false again); checked: when no key was last found.
	keysSeen bool
	checked  time.Time
}

// viewer authenticates the request of an Authorization header.
func (g *gate) viewer(ctx context.Context, header string) (*auth.Viewer, error) {
	if header == "" && g.mode == AuthLocal {
		local, err := g.local(ctx)
		if err != nil {
			return nil, err
		}
		if local {
			return &auth.Viewer{Local: true, WorkspaceID: g.workspaceID}, nil
		}
	}
	k, err := g.keys.Authenticate(ctx, header)
	if err != nil {
		return nil, err
	}
	return &auth.Viewer{Key: k, WorkspaceID: k.WorkspaceID}, nil
}

// local tells whether no key exists yet.
func (g *gate) local(ctx context.Context) (bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.keysSeen {
		return false, nil
	}
	if time.Since(g.checked) < localRecheck {
		return true, nil
	}
	exists, err := g.keys.Exists(ctx)
	if err != nil {
		return false, err
	}
	g.keysSeen, g.checked = exists, time.Now()
	return !exists, nil
}

// keyMade is told of a key made through this server.
func (g *gate) keyMade() {
	g.mu.Lock()
	g.keysSeen = true
	g.mu.Unlock()
}

// authenticate puts the request's viewer into its context for next, or
// refuses it: UNAUTHENTICATED with HTTP 401, before any field runs (so
// introspection needs a key as every field does).
func (g *gate) authenticate(next func(http.ResponseWriter, *http.Request, *auth.Viewer)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The key's check and the definitions' share a sync (mutations
		// give theirs up: db.ShareSync).
		r = r.WithContext(db.ShareSync(r.Context()))
		v, err := g.viewer(r.Context(), r.Header.Get("Authorization"))
		if e, ok := apierr.As(err); ok && e.Code == apierr.Unauthenticated {
			w.Header().Set("WWW-Authenticate", `Bearer realm="crm"`)
			refuse(w, r, http.StatusUnauthorized, apierr.Unauthenticated, e.Message)
			return
		}
		switch {
		case err != nil && r.Context().Err() != nil:
			refuse(w, r, http.StatusServiceUnavailable, apierr.Timeout, "the request ran past its deadline and was cancelled")
			return
		case err != nil && db.Transient(err):
			g.logger.WarnContext(r.Context(), "database unavailable: the API key could not be checked", "error", err)
			writeRequestError(w, r, http.StatusServiceUnavailable, requestErrorAnswer{Errors: []wireError{{
				Message:    "the database is unavailable for the moment (restarting, or too busy); nothing was written: send the request again",
				Extensions: map[string]any{"code": string(apierr.Unavailable), "retryable": true},
			}}})
			return
		case err != nil:
			g.logger.ErrorContext(r.Context(), "internal error: the API key could not be checked", "error", err)
			refuse(w, r, http.StatusInternalServerError, apierr.Internal, "internal server error")
			return
		}
		next(w, r, v)
	})
}

// directives enforce the scopes the schema gives its fields.
var directives = generated.DirectiveRoot{
	HasScope: func(ctx context.Context, _ any, next graphql.Resolver, scope auth.Scope) (any, error) {
		if !sessionOf(ctx).viewer.Allows(scope) {
			return nil, forbidden(ctx, scope)
		}
		return next(ctx)
	},
	// Every request that reaches a field was authenticated.
	Authenticated: func(ctx context.Context, _ any, next graphql.Resolver) (any, error) { return next(ctx) },
}

func forbidden(ctx context.Context, scope auth.Scope) error {
	field := "this field"
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		field = fc.Field.Name
	}
	return apierr.New(apierr.Forbidden, "%s needs the scope %s, which this API key does not have", field, scope)
}

// nodeScopes is the scope node(id:) and nodes(ids:) need to answer an
// object of each Node type: the scope of the root fields that read it, so
// that node is no way around them. An id of a type the viewer may not read
// is FORBIDDEN naming the scope, whether or not its object exists, as the
// root field's is. TestNodeScopes checks that every Node type is here.
var nodeScopes = map[string]auth.Scope{
	gid.Record:          auth.RecordsRead,
	gid.ObjectType:      auth.RecordsRead,
	gid.Property:        auth.RecordsRead,
	gid.PropertyGroup:   auth.RecordsRead,
	gid.Pipeline:        auth.RecordsRead,
	gid.PipelineStage:   auth.RecordsRead,
	gid.AssociationType: auth.RecordsRead,
	gid.View:            auth.RecordsRead,
	gid.List:            auth.RecordsRead,
	gid.Owner:           auth.RecordsRead,
	gid.Team:            auth.RecordsRead,
	// viewer { workspace } needs any key; node itself needs RECORDS_READ.
	gid.Workspace: auth.RecordsRead,
	gid.Import:    auth.ImportExport,
	gid.Export:    auth.ImportExport,
}

// nodeAllowed refuses an id of a type the request may not read.
func nodeAllowed(ctx context.Context, typeName string) error {
	need, ok := nodeScopes[typeName]
	if !ok || sessionOf(ctx).viewer.Allows(need) {
		return nil
	}
	return apierr.New(apierr.Forbidden, "an object of type %s needs the scope %s, which this API key does not have", typeName, need)
}

// rootFieldAllowed tells whether the request may run the root field of
// ctx by the scope its @hasScope names: a read plan answers a root field
// without the executor, which runs the directive, so it answers only those
// the request may run (the executor refuses the others).
func rootFieldAllowed(ctx context.Context) bool {
	rfc := graphql.GetRootFieldContext(ctx)
	if rfc == nil || rfc.Field.Definition == nil {
		return false
	}
	d := rfc.Field.Definition.Directives.ForName("hasScope")
	if d == nil {
		return false
	}
	arg := d.Arguments.ForName("scope")
	return arg != nil && arg.Value != nil && sessionOf(ctx).viewer.Allows(auth.Scope(arg.Value.Raw))
}

// workspace reads the request's workspace.
func (r *Resolver) workspace(ctx context.Context) (*auth.Workspace, error) {
	w, err := r.keys.Workspace(ctx, sessionOf(ctx).workspaceID)
	if err != nil {
		return nil, err
	}
	return &w, nil
}
