package export

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/acme/crm/ent"
	entexport "github.com/acme/crm/ent/export"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/assoc"
	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/lists"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/page"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/view"
	"github.com/acme/crm/internal/write"
)

// Lifetime is how long an export's download URL works.
const Lifetime = 24 * time.Hour

// pageSize is how many records a page of an export reads: the most a
// keyset page holds.
const pageSize = page.MaxSize

// Store keeps exports and writes their files.
type Store struct {
	db      *db.DB
	records *records.Store
	lists   *lists.Store
	views   *view.Store
	assoc   *assoc.Store
	defs    *meta.Cache
}

// New returns the store of exports over d. It reads records through the
// stores that own them, over a write unit of its own, which it never
// writes through.
func New(d *db.DB) *Store {
	w := write.New(d)
	links := assoc.New(d, w)
	return &Store{db: d, records: records.New(d, w, links), lists: lists.New(d, w), views: view.New(d, w), assoc: links, defs: meta.NewCache(d)}
}

// Export is a stored export: its spec lives in the database, its file is
// written at each download.
type Export struct {
	ID         int
	ObjectType string
	Token      string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	spec       Spec
	workspace  int
}

// GlobalID is the export's opaque global id.
func (e *Export) GlobalID() string { return gid.Encode(gid.Export, e.ID) }

// URL is the path of the export's download on this server.
func (e *Export) URL() string { return "/exports/" + e.Token + ".csv" }

// FileName is the name a download is saved under.
func (e *Export) FileName() string {
	return e.ObjectType + "-export-" + e.CreatedAt.Format("2006-01-02") + ".csv"
}

// Check refuses a spec that does not apply to m's definitions, naming the
// part of it at fault, as Create and Write would.
func (s *Store) Check(ctx context.Context, m *meta.Model, spec Spec) error {
	_, err := s.prepare(ctx, m, spec)
	return err
}

// Create checks spec and stores it as an export, downloadable for
// Lifetime; exports of the workspace that expired are deleted meanwhile.
func (s *Store) Create(ctx context.Context, m *meta.Model, spec Spec) (*Export, error) {
	p, err := s.prepare(ctx, m, spec)
	if err != nil {
		return nil, err
	}
	raw, err := spec.encode()
	if err != nil {
		return nil, err
	}
	token, err := newToken()
	if err != nil {
		return nil, err
	}
	now := clock.Now()
	if _, err := s.db.Client.Export.Delete().Where(entexport.WorkspaceID(m.WorkspaceID), entexport.ExpiresAtLTE(now)).Exec(ctx); err != nil {
		return nil, fmt.Errorf("delete expired exports: %w", err)
	}
	row, err := s.db.Client.Export.Create().SetWorkspaceID(m.WorkspaceID).SetObjectTypeID(p.ot.ID).SetToken(token).
		SetSpec(raw).SetCreatedAt(now).SetExpiresAt(now.Add(Lifetime)).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("store an export: %w", err)
	}
	return fromRow(row, p.ot.Name, spec), nil
}

// Get returns an export of the workspace that has not expired.
func (s *Store) Get(ctx context.Context, m *meta.Model, id int) (*Export, error) {
	row, err := s.db.Client.Export.Query().Where(entexport.ID(id), entexport.WorkspaceID(m.WorkspaceID), entexport.ExpiresAtGT(clock.Now())).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apierr.New(apierr.NotFound, "no export %d, or it expired", id)
	}
	if err != nil {
		return nil, err
	}
	return decodeRow(m, row)
}

// errNoExport is a token that names no live export.
var errNoExport = errors.New("no such export, or it expired")

// byToken returns the live export whose download token is token, with the
// definitions of its workspace.
func (s *Store) byToken(ctx context.Context, token string) (*Export, *meta.Model, error) {
	row, err := s.db.Client.Export.Query().Where(entexport.Token(token), entexport.ExpiresAtGT(clock.Now())).First(ctx)
	if ent.IsNotFound(err) {
		return nil, nil, errNoExport
	}
	if err != nil {
		return nil, nil, err
	}
	m, err := s.defs.Get(ctx, row.WorkspaceID)
	if err != nil {
		return nil, nil, err
	}
	e, err := decodeRow(m, row)
	return e, m, err
}

func decodeRow(m *meta.Model, row *ent.Export) (*Export, error) {
	spec, err := decodeSpec(row.Spec)
	if err != nil {
		return nil, err
	}
	name := spec.ObjectType
	if ot, ok := m.ObjectTypeByID(row.ObjectTypeID); ok {
		name = ot.Name
	}
	return fromRow(row, name, spec), nil
}

func fromRow(row *ent.Export, objectType string, spec Spec) *Export {
	return &Export{ID: row.ID, ObjectType: objectType, Token: row.Token, CreatedAt: row.CreatedAt.UTC(), ExpiresAt: row.ExpiresAt.UTC(),
		spec: spec, workspace: row.WorkspaceID}
}

// newToken is 256 random bits, URL-safe.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make an export token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// prepare checks spec against m: the object type, the view and list (of
// that type), the filter and sort as a read checks them, the properties
// and associations. Paths name the part of the spec at fault.
func (s *Store) prepare(ctx context.Context, m *meta.Model, spec Spec) (*plan, error) {
	ot, ok := m.ObjectType(spec.ObjectType)
	if !ok {
		return nil, invalid("objectType", "", "no object type %q", spec.ObjectType)
	}
	if spec.Headers != "" && spec.Headers != Labels && spec.Headers != Names {
		return nil, invalid("options.headers", "", "headers are LABELS or NAMES, not %q", spec.Headers)
	}
	if spec.Enumerations != "" && spec.Enumerations != Values && spec.Enumerations != OptionLabels {
		return nil, invalid("options.enumerations", "", "enumerations are VALUES or LABELS, not %q", spec.Enumerations)
	}
	p := &plan{spec: spec, ot: ot}
	q := records.Query{ObjectType: ot.Name, View: spec.View, Filter: spec.Filter, Sort: spec.Sort}
	if spec.View != 0 {
		var err error
		if q, err = s.views.Apply(ctx, m, q); err != nil {
			return nil, atPath(err, "view")
		}
	}
	if spec.List != 0 {
		l, ok := m.List(spec.List)
		if !ok {
			return nil, invalid("list", "", "no list %d", spec.List)
		}
		if l.ObjectType != ot {
			return nil, invalid("list", "", "list %q is a list of %s, not of %s", l.Name, l.ObjectType.Name, ot.Name)
		}
		p.list = l
	}
	size := pageSize
	q.Page = page.Args{First: &size}
	if _, err := q.Select(ctx, m); err != nil {
		return nil, err
	}
	p.query = q
	return p, p.layout(m)
}

// atPath is err, a refusal of the part of the spec at path: a client
// error without a path of its own gets it, NOT_FOUND becomes
// BAD_USER_INPUT (the input names what does not exist).
func atPath(err error, path string) error {
	e, ok := apierr.As(err)
	if !ok || (e.Code != apierr.NotFound && e.Code != apierr.BadUserInput) {
		return err
	}
	out := *e
	out.Code = apierr.BadUserInput
	if out.Path == "" {
		out.Path = path
	}
	return &out
}
