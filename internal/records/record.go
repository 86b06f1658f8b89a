// Package records stores and reads the records of every object type: one
// row per record, its values in one JSON column. It owns a record's life —
// creating (with its associations, through package assoc's rules),
// updating, archiving, restoring, merging and erasing — and the records
// table's SQL: keyset pages, unique values enforced by the database,
// batch writes that report per item, each write one unit of package write
// with the history it appends. Values reach it validated by package
// values, but for merges, which move values already stored; values the
// server derives (SetDerived) skip only the rule that clients may not
// write them.
package records

import (
	"context"
	stdsql "database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/flatjson"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/values"
)

// Record is one stored record.
type Record struct {
	ID           int
	WorkspaceID  int
	ObjectTypeID int
	// Properties are the stored values, keyed by property name.
	Properties map[string]any
	CreatedAt  time.Time
	UpdatedAt  time.Time
	ArchivedAt *time.Time
	// MergedInto is the record this one was merged into, or 0.
	MergedInto int
	// Type is the definition of the record's object type, as the request
	// reading it knows it; the store attaches it.
	Type *meta.ObjectType
	// rank is the relevance of the record to the full-text query of the
	// list that read it, for its cursor.
	rank float64
}

// Attach gives r the definitions of its object type from m.
func Attach(m *meta.Model, r *Record) *Record {
	r.Type, _ = m.ObjectTypeByID(r.ObjectTypeID)
	return r
}

// GlobalID is the record's opaque global id.
func (r *Record) GlobalID() string { return gid.Encode(gid.Record, r.ID) }

// RecordID is the plain numeric id, as text.
func (r *Record) RecordID() string { return strconv.Itoa(r.ID) }

// ObjectType is the definition of the record's object type.
func (r *Record) ObjectType() *meta.ObjectType { return r.Type }

// Props are the values a client sees (Values), of the record's own type.
// A name that is neither a property of the type nor a value every record
// has is refused: it is a typo, not a property without a value.
func (r *Record) Props(names []string) (map[string]any, error) {
	if r.Type == nil {
		return map[string]any{}, nil
	}
	for _, name := range names {
		if _, system := r.systemValue(name); !system {
			if _, ok := r.Type.Property(name); !ok {
				return nil, apierr.Invalid("names", "%s has no property %q", r.Type.Name, name)
			}
		}
	}
	return r.Values(r.Type, names), nil
}

// TypedValues are the values of Props(names) in the typed shape: in the
// order of names, a name given twice once; without names, in name order.
func (r *Record) TypedValues(names []string) ([]*values.Value, error) {
	props, err := r.Props(names)
	if err != nil {
		return nil, err
	}
	if names == nil {
		names = slices.Sorted(maps.Keys(props))
	}
	out := make([]*values.Value, 0, len(props))
	for _, name := range names {
		v, ok := props[name]
		if !ok {
			continue
		}
		delete(props, name)
		def, ok := r.Type.Property(name)
		if !ok {
			return nil, fmt.Errorf("%s has a value of %q but no definition of it", r.Type.Name, name)
		}
		typed, err := values.TypedOf(def, v)
		if err != nil {
			return nil, err
		}
		out = append(out, typed)
	}
	return out, nil
}

// Archived reports whether the record is in the recycle bin.
func (r *Record) Archived() bool { return r.ArchivedAt != nil }

// Values are the values a client sees: the stored ones of live properties,
// and the values every record has (hs_object_id, createdate,
// lastmodifieddate). names, when not nil, keeps only those.
func (r *Record) Values(ot *meta.ObjectType, names []string) map[string]any {
	if names == nil {
		out := make(map[string]any, len(r.Properties)+3)
		for name, v := range r.Properties {
			if def, ok := ot.Property(name); ok && !def.Archived {
				out[name] = v
			}
		}
		for _, name := range systemValues {
			out[name], _ = r.systemValue(name)
		}
		return out
	}
	out := make(map[string]any, len(names))
	for _, name := range names {
		if v, ok := r.systemValue(name); ok {
			out[name] = v
		} else if def, ok := ot.Property(name); ok && !def.Archived {
			if v, ok := r.Properties[name]; ok {
				out[name] = v
			}
		}
	}
	return out
}

// LastModified is the value every record has of when it last changed:
// every write of a record changes it.
const LastModified = "lastmodifieddate"

// Value is the value of name the record holds: a value every record has
// (hs_object_id, createdate, lastmodifieddate) or a stored one, whatever
// its definition says; false when there is none.
func (r *Record) Value(name string) (any, bool) {
	if v, ok := r.systemValue(name); ok {
		return v, true
	}
	v, ok := r.Properties[name]
	return v, ok
}

// systemValues are the values every record has, kept in columns.
var systemValues = []string{"hs_object_id", "createdate", LastModified}

func (r *Record) systemValue(name string) (any, bool) {
	switch name {
	case "hs_object_id":
		return json.Number(strconv.Itoa(r.ID)), true
	case "createdate":
		return r.CreatedAt.UTC().Format(values.DateTimeLayout), true
	case LastModified:
		return r.UpdatedAt.UTC().Format(values.DateTimeLayout), true
	}
	return nil, false
}

// columns are what every read selects, in Scan's order.
var columns = []string{"id", "workspace_id", "object_type_id", "properties", "created_at", "updated_at", "archived_at", "merged_into_id"}

// Columns appends the columns Scan reads, of the records table (or a
// relation with its columns) aliased alias, "" for none.
func Columns(q *db.SQL, alias string) *db.SQL {
	for i, c := range columns {
		if i > 0 {
			q.T(", ")
		}
		if alias == "" {
			q.Ident(c)
		} else {
			q.Ident(alias, c)
		}
	}
	return q
}

// Scanner is a row to scan.
type Scanner interface{ Scan(dest ...any) error }

// Scan reads a record selected as Columns; before is scanned into the
// columns selected before them.
func Scan(s Scanner, before ...any) (*Record, error) {
	var (
		r        Record
		props    []byte
		archived stdsql.NullTime
		merged   stdsql.NullInt64
	)
	dest := append(before, &r.ID, &r.WorkspaceID, &r.ObjectTypeID, &props, &r.CreatedAt, &r.UpdatedAt, &archived, &merged)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	var err error
	if r.Properties, err = decodeProperties(props); err != nil {
		return nil, fmt.Errorf("record %d: %w", r.ID, err)
	}
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	if archived.Valid {
		t := archived.Time.UTC()
		r.ArchivedAt = &t
	}
	r.MergedInto = int(merged.Int64)
	return &r, nil
}

// decodeProperties reads a properties column. Numbers stay json.Number: a
// float64 would round long integers.
func decodeProperties(raw []byte) (map[string]any, error) {
	props, err := flatjson.Unmarshal(raw)
	if err != nil {
		return nil, fmt.Errorf("decode properties: %w", err)
	}
	return props, nil
}

func encodeProperties(props map[string]any) (string, error) {
	b, err := flatjson.Marshal(props)
	if err != nil {
		return "", fmt.Errorf("encode properties: %w", err)
	}
	return string(b), nil
}

// ExecQuerier is a client or a transaction: *ent.Client or *ent.Tx.
type ExecQuerier = db.ExecQuerier

// readRecords runs q, a read of records outside any transaction; ranked
// says it selects each record's relevance first.
func (s *Store) readRecords(ctx context.Context, q *db.SQL, ranked bool) ([]*Record, error) {
	rows, err := s.db.Read(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Record
	for rows.Next() {
		var rank float64
		var before []any
		if ranked {
			before = []any{&rank}
		}
		r, err := Scan(rows, before...)
		if err != nil {
			return nil, err
		}
		r.rank = rank
		out = append(out, r)
	}
	return out, rows.Err()
}

// DisplayName is what a record is called: its display name properties'
// values joined (contacts: first and last name), else its primary display
// property's value, else the object type's singular label and its id.
func (r *Record) DisplayName() string {
	ot := r.Type
	if ot == nil {
		return fmt.Sprintf("Record %d", r.ID)
	}
	var parts []string
	for _, name := range ot.DisplayNameProperties {
		if s := valueText(r.Properties[name]); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) > 0 {
		return strings.Join(parts, " ")
	}
	if s := valueText(r.Properties[ot.PrimaryDisplayProperty]); s != "" {
		return s
	}
	return fmt.Sprintf("%s %d", ot.SingularLabel, r.ID)
}

func valueText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(v)
	case []any:
		parts := make([]string, 0, len(v))
		for _, item := range v {
			parts = append(parts, fmt.Sprint(item))
		}
		return strings.Join(parts, ";")
	}
	return fmt.Sprint(v)
}
