package records

import (
	"context"
	"sort"
	"time"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/history"
	"github.com/acme/crm/internal/page"
)

// AsOf returns copies of recs holding the values each had at a moment, read
// from their property history in one statement.
func (s *Store) AsOf(ctx context.Context, workspaceID int, recs []*Record, at time.Time) ([]*Record, error) {
	if len(recs) == 0 {
		return recs, nil
	}
	ids := make([]int, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	then, err := history.AsOf(ctx, s.db.Client, s.db.Dialect, workspaceID, ids, at)
	if err != nil {
		return nil, err
	}
	out := make([]*Record, len(recs))
	for i, r := range recs {
		c := *r
		c.Properties = then[r.ID]
		out[i] = &c
	}
	return out, nil
}

// HistoryPage is one page of a record's property changes, newest first.
type HistoryPage struct {
	Entries []history.Entry
	Cursors []string
	Info    page.Info
}

const historyOrdering = "history"

// HistoryQuery selects a page of property changes of one record.
type HistoryQuery struct {
	Names []string  `json:"names,omitempty"`
	Page  page.Args `json:"page"`
}

// Key is q's comparable form for one record's read, for loaders.
func (q HistoryQuery) Key(r *Record) page.Key[*Record] {
	return page.Key[*Record]{Parent: r, Shape: page.Shape(q)}
}

// Histories returns, for each record, its property changes newest first
// with those of the records merged into it (names keeps only those
// properties): one statement for all records that share the query.
func (s *Store) Histories(ctx context.Context, recs []*Record, q HistoryQuery) ([]*HistoryPage, error) {
	if len(q.Names) > page.MaxSize {
		return nil, apierr.New(apierr.LimitExceeded, "names takes at most %d properties, got %d", page.MaxSize, len(q.Names))
	}
	if q.Page.Last != nil || q.Page.Before != nil {
		return nil, apierr.New(apierr.BadUserInput, "property history pages forward only: use first and after")
	}
	w, err := q.Page.Resolve(historyOrdering)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, nil
	}
	before := 0
	if w.After != nil {
		before = w.After.ID
	}
	var ids []int
	for _, r := range recs {
		ids = append(ids, r.ID)
		ids = append(ids, MergedIDs(r)...)
	}
	byRecord, err := history.List(ctx, s.db.Client, s.db.Dialect, recs[0].WorkspaceID, ids, q.Names, before, w.Size+1)
	if err != nil {
		return nil, err
	}
	cursor := func(e history.Entry) string { return page.Encode(historyOrdering, page.Cursor{ID: e.ID}) }
	out := make([]*HistoryPage, len(recs))
	for i, r := range recs {
		// A record's newest changes are among the newest of each record
		// it is made of.
		entries := append([]history.Entry(nil), byRecord[r.ID]...)
		for _, id := range MergedIDs(r) {
			entries = append(entries, byRecord[id]...)
		}
		sort.Slice(entries, func(a, b int) bool { return entries[a].ID > entries[b].ID })
		entries, info := page.Trim(w, entries, cursor)
		p := &HistoryPage{Entries: entries, Info: info, Cursors: make([]string, len(entries))}
		for j, e := range entries {
			p.Cursors[j] = cursor(e)
		}
		out[i] = p
	}
	return out, nil
}
