// Package audit owns the audit trail: every change of definitions,
// permanent deletion, merge, import, API key and workspace is recorded
// with who made it (the request's Actor), what it did (an Action), to
// what (a Target, named by its global id and a short summary), when, and
// in which request. Insert writes an entry in the transaction of its
// change, so that a change refused or rolled back leaves none and no entry
// exists without its change; every audited write calls it (write.Audited
// for the write path). Entries never change: the database refuses UPDATE
// and DELETE of them (migration 00012). A summary names records by id
// only, never by their values, so that a permanent deletion (GDPR) leaves
// nothing of the erased person in the trail.
package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/requestid"
)

// ActorKind is what made a change.
type ActorKind string

// The kinds of actor.
const (
	// APIKey: a request that carried an API key.
	APIKey ActorKind = "API_KEY"
	// LocalKind: a request to a server in local mode, without a key.
	LocalKind ActorKind = "LOCAL"
	// CLIKind: a command of the crm binary (crm keys, crm workspaces,
	// crm import), run by whoever may open the database.
	CLIKind ActorKind = "CLI"
	// ServerKind: the server on its own, at start (the demo data).
	ServerKind ActorKind = "SERVER"
)

// Actor is who makes a change.
type Actor struct {
	Kind ActorKind
	// KeyID is the API key of an APIKey actor.
	KeyID int
	// Name is the key's name, or "local", "cli" or "server".
	Name string
}

// The actors that are not keys.
var (
	Local  = Actor{Kind: LocalKind, Name: "local"}
	CLI    = Actor{Kind: CLIKind, Name: "cli"}
	Server = Actor{Kind: ServerKind, Name: "server"}
)

// Key is the actor of a request that carried the API key id, called name.
func Key(id int, name string) Actor { return Actor{Kind: APIKey, KeyID: id, Name: name} }

// KeyGlobalID is the global id of an APIKey actor's key; nil for others.
func (a Actor) KeyGlobalID() *string {
	if a.Kind != APIKey {
		return nil
	}
	id := gid.Encode(gid.APIKey, a.KeyID)
	return &id
}

type actorKey struct{}

// WithActor returns ctx carrying who makes the changes done with it.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ErrNoActor fails an audited change whose context does not say who
// makes it: every way into the domain (the API, each command) must.
var ErrNoActor = errors.New("audit: the context of an audited change names no actor (audit.WithActor)")

// Target is what a change changed: the kind and id of its global id, and
// a short summary for people.
type Target struct {
	Type    string
	ID      int
	Summary string
}

// GlobalID is the target's global id.
func (t Target) GlobalID() string { return gid.Encode(t.Type, t.ID) }

// Change is what a change records: what it did, to what.
type Change struct {
	Action Action
	Target Target
}

// Of is the change of action to the target of kind and id, summarised by
// format and args. A summary names records by id, never by their values.
func Of(action Action, kind string, id int, format string, args ...any) Change {
	return Change{Action: action, Target: Target{Type: kind, ID: id, Summary: fmt.Sprintf(format, args...)}}
}

// Entry is a change as the trail keeps it.
type Entry struct {
	ID        int
	At        time.Time
	Actor     Actor
	Action    Action
	Target    Target
	RequestID string
}

// GlobalID is the entry's opaque id.
func (e *Entry) GlobalID() string { return gid.Encode(gid.AuditEntry, e.ID) }

// Insert records c, made in workspaceID by the actor of ctx in its
// request, through c's transaction's client (tx.AuditEntry): the entry
// commits or rolls back with its change. It is the one place an entry is
// written.
func Insert(ctx context.Context, entries *ent.AuditEntryClient, workspaceID int, c Change) error {
	a, ok := ctx.Value(actorKey{}).(Actor)
	if !ok {
		return ErrNoActor
	}
	if !c.Action.Valid() {
		return fmt.Errorf("audit: unknown action %q", c.Action)
	}
	q := entries.Create().SetWorkspaceID(workspaceID).SetCreatedAt(clock.Now()).
		SetActorKind(string(a.Kind)).SetActorName(a.Name).SetAction(string(c.Action)).
		SetTargetType(c.Target.Type).SetTargetID(c.Target.ID).SetSummary(c.Target.Summary).
		SetRequestID(requestid.From(ctx))
	if a.Kind == APIKey {
		q.SetActorKeyID(a.KeyID)
	}
	if err := q.Exec(ctx); err != nil {
		return fmt.Errorf("audit %s: %w", c.Action, err)
	}
	return nil
}

// Write runs fn in a transaction of client and records the change fn
// returns, made in workspaceID, in that transaction: both commit or
// neither does. A zero Change says fn changed nothing: nothing is
// recorded. It is for audited writes outside the write path (keys,
// imports' jobs), which lock no definitions.
func Write(ctx context.Context, client *ent.Client, workspaceID int, fn func(tx *ent.Tx) (Change, error)) error {
	tx, err := client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	c, err := fn(tx)
	if err == nil && c != (Change{}) {
		err = Insert(ctx, tx.AuditEntry, workspaceID, c)
	}
	if err != nil {
		if rbErr := tx.Rollback(); rbErr != nil {
			return errors.Join(err, rbErr)
		}
		return err
	}
	return tx.Commit()
}
