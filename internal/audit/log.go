package audit

import (
	"context"
	"strings"
	"time"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/ent/auditentry"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/page"
)

// Query is a read of a workspace's trail: a page, newest first, of the
// entries that match every filter given.
type Query struct {
	Page page.Args
	// Actor is an API key's global id, or LOCAL, CLI or SERVER.
	Actor *string
	// Action keeps the entries of one action.
	Action *Action
	// From and To keep the entries made at From or later, before To.
	From, To *time.Time
}

// Page is a page of entries, newest first.
type Page struct {
	Entries []*Entry
	Cursors []string
	Info    page.Info
}

const ordering = "audit"

// Trail reads the audit trail.
type Trail struct{ db *db.DB }

// NewTrail returns the trail of d.
func NewTrail(d *db.DB) *Trail { return &Trail{db: d} }

// List returns a page of the trail of workspaceID.
func (t *Trail) List(ctx context.Context, workspaceID int, q Query) (*Page, error) {
	w, err := q.Page.Resolve(ordering)
	if err != nil {
		return nil, err
	}
	sel := t.db.Client.AuditEntry.Query().Where(auditentry.WorkspaceID(workspaceID)).Order(ent.Desc(auditentry.FieldID)).Limit(w.Size + 1)
	if w.After != nil {
		sel.Where(auditentry.IDLT(w.After.ID))
	}
	if q.Actor != nil {
		a, err := parseActor(*q.Actor)
		if err != nil {
			return nil, err
		}
		sel.Where(auditentry.ActorKind(string(a.Kind)))
		if a.Kind == APIKey {
			sel.Where(auditentry.ActorKeyID(a.KeyID))
		}
	}
	if q.Action != nil {
		sel.Where(auditentry.Action(string(*q.Action)))
	}
	if q.From != nil {
		sel.Where(auditentry.CreatedAtGTE(q.From.UTC()))
	}
	if q.To != nil {
		sel.Where(auditentry.CreatedAtLT(q.To.UTC()))
	}
	rows, err := sel.All(ctx)
	if err != nil {
		return nil, err
	}
	cursor := func(r *ent.AuditEntry) string { return page.Encode(ordering, page.Cursor{ID: r.ID}) }
	rows, info := page.Trim(w, rows, cursor)
	p := &Page{Info: info}
	for _, r := range rows {
		p.Entries = append(p.Entries, entryOf(r))
		p.Cursors = append(p.Cursors, cursor(r))
	}
	return p, nil
}

// parseActor reads the actor filter: an API key's global id, LOCAL, CLI
// or SERVER.
func parseActor(s string) (Actor, error) {
	switch strings.ToUpper(s) {
	case string(LocalKind):
		return Local, nil
	case string(CLIKind):
		return CLI, nil
	case string(ServerKind):
		return Server, nil
	}
	id, err := gid.DecodeKind(s, gid.APIKey)
	if err != nil {
		return Actor{}, apierr.New(apierr.BadUserInput, "actor %q is neither an API key's id nor LOCAL, CLI or SERVER", s)
	}
	return Key(id, ""), nil
}

func entryOf(r *ent.AuditEntry) *Entry {
	e := &Entry{ID: r.ID, At: r.CreatedAt.UTC(), Action: Action(r.Action), RequestID: r.RequestID,
		Actor:  Actor{Kind: ActorKind(r.ActorKind), Name: r.ActorName},
		Target: Target{Type: r.TargetType, ID: r.TargetID, Summary: r.Summary}}
	if r.ActorKeyID != nil {
		e.Actor.KeyID = *r.ActorKeyID
	}
	return e
}
