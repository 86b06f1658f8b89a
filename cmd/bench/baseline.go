package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/lib/pq"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
)

// baseline is the least a server could do for the measured read: three
// hand-written statements (the companies, then the contacts and the deals
// of all their parents at once, paged per parent by ROW_NUMBER) and one
// JSON encoding. It has no parser, validation, resolvers or ent.
type baseline struct {
	sql                                 *sql.DB
	ds                                  *dataset
	companiesSQL, contactsSQL, dealsSQL string
}

func newBaseline(sqlDB *sql.DB, d db.Dialect, ds *dataset) *baseline {
	children := func(props string, n int) string {
		return d.Rebind("SELECT parent, id, " + props + " FROM (" +
			"SELECT a.from_record_id AS parent, r.id, r.properties," +
			" ROW_NUMBER() OVER (PARTITION BY a.from_record_id ORDER BY r.created_at DESC, r.id DESC) AS rn" +
			" FROM associations a JOIN records r ON r.id = a.to_record_id" +
			" WHERE a.workspace_id = ? AND a.from_record_id = ANY(?::bigint[]) AND a.to_object_type_id = ?" +
			" AND a.association_type_id = ? AND r.archived_at IS NULL" +
			") ranked WHERE rn <= " + strconv.Itoa(n) + " ORDER BY parent, rn")
	}
	return &baseline{
		sql: sqlDB,
		ds:  ds,
		companiesSQL: d.Rebind("SELECT id, properties->'name', properties->'domain' FROM records" +
			" WHERE workspace_id = ? AND object_type_id = ? AND archived_at IS NULL" +
			" ORDER BY created_at DESC, id DESC LIMIT " + strconv.Itoa(companiesPage)),
		contactsSQL: children("properties->'email', properties->>'firstname', properties->>'lastname'", contactsPage),
		dealsSQL:    children("properties->'dealname', properties->'amount', properties->'dealstage'", dealsPage),
	}
}

func (b *baseline) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	resp, err := b.read(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

func (b *baseline) read(ctx context.Context) (*response, error) {
	ds := b.ds
	rows, err := b.sql.QueryContext(ctx, b.companiesSQL, ds.workspaceID, ds.companies.ID)
	if err != nil {
		return nil, fmt.Errorf("companies: %w", err)
	}
	var companies []*node
	err = scanAll(rows, func(s scanner) error {
		var id int64
		var name, domain []byte
		if err := s.Scan(&id, &name, &domain); err != nil {
			return err
		}
		n := newNode(id, props("name", name, "domain", domain))
		n.DisplayName = displayName(ds.companies, id, jsonText(name))
		companies = append(companies, n)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("companies: %w", err)
	}

	contacts, err := b.children(ctx, b.contactsSQL, companies, ds.contacts, ds.companyToContact, func(s scanner) (*node, error) {
		var id int64
		var email []byte
		var first, last sql.NullString
		if err := s.Scan(&id, &email, &first, &last); err != nil {
			return nil, err
		}
		n := newNode(id, props("email", email))
		full := strings.TrimSpace(strings.TrimSpace(first.String) + " " + strings.TrimSpace(last.String))
		if full == "" {
			full = jsonText(email)
		}
		n.DisplayName = displayName(ds.contacts, id, full)
		return n, nil
	})
	if err != nil {
		return nil, fmt.Errorf("contacts: %w", err)
	}

	_, err = b.children(ctx, b.dealsSQL, contacts, ds.deals, ds.contactToDeal, func(s scanner) (*node, error) {
		var id int64
		var name, amount, stage []byte
		if err := s.Scan(&id, &name, &amount, &stage); err != nil {
			return nil, err
		}
		n := newNode(id, props("amount", amount, "dealstage", stage))
		n.DisplayName = displayName(ds.deals, id, jsonText(name))
		return n, nil
	})
	if err != nil {
		return nil, fmt.Errorf("deals: %w", err)
	}

	resp := &response{Data: &responseData{}}
	resp.Data.Records.Edges = edgesOf(companies)
	return resp, nil
}

// children reads the pages of parents' associated records of type to in
// one statement, sets them on the parents and returns them all.
func (b *baseline) children(ctx context.Context, query string, parents []*node, to *meta.ObjectType, assocType int,
	scan func(scanner) (*node, error)) ([]*node, error) {
	ids := make([]int64, len(parents))
	byID := make(map[int64]*node, len(parents))
	for i, p := range parents {
		id, _ := strconv.ParseInt(p.RecordID, 10, 64)
		ids[i] = id
		byID[id] = p
		p.Associations = &connection{Edges: []edge{}}
	}
	rows, err := b.sql.QueryContext(ctx, query, b.ds.workspaceID, pq.Array(ids), to.ID, assocType)
	if err != nil {
		return nil, err
	}
	var all []*node
	err = scanAll(rows, func(s scanner) error {
		var parent int64
		n, err := scan(prefixScanner{s, &parent})
		if err != nil {
			return err
		}
		p := byID[parent]
		p.Associations.Edges = append(p.Associations.Edges, edge{Node: n})
		all = append(all, n)
		return nil
	})
	return all, err
}

type scanner interface{ Scan(dest ...any) error }

// prefixScanner scans a leading column into before, the rest as asked.
type prefixScanner struct {
	s      scanner
	before *int64
}

func (p prefixScanner) Scan(dest ...any) error { return p.s.Scan(append([]any{p.before}, dest...)...) }

func scanAll(rows *sql.Rows, fn func(scanner) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func newNode(id int64, p map[string]json.RawMessage) *node {
	return &node{RecordID: strconv.FormatInt(id, 10), Properties: p}
}

// props keeps the named raw JSON values that are present.
func props(kv ...any) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		if v := kv[i+1].([]byte); v != nil && string(v) != "null" {
			out[kv[i].(string)] = json.RawMessage(v)
		}
	}
	return out
}

// jsonText is a raw JSON string's text ("" for anything else).
func jsonText(raw []byte) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return strings.TrimSpace(s)
}

func displayName(ot *meta.ObjectType, id int64, name string) string {
	if name != "" {
		return name
	}
	return ot.SingularLabel + " " + strconv.FormatInt(id, 10)
}

func edgesOf(nodes []*node) []edge {
	out := make([]edge, len(nodes))
	for i, n := range nodes {
		out[i] = edge{Node: n}
	}
	return out
}
