package records

import (
	"context"
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

// History returns a record's property changes newest first, with those of
// the records merged into it: names keeps only those properties.
func (s *Store) History(ctx context.Context, r *Record, names []string, args page.Args) (*HistoryPage, error) {
	if len(names) > page.MaxSize {
		return nil, apierr.New(apierr.LimitExceeded, "names takes at most %d properties, got %d", page.MaxSize, len(names))
	}
	if args.Last != nil || args.Before != nil {
		return nil, apierr.New(apierr.BadUserInput, "property history pages forward only: use first and after")
	}
	w, err := args.Resolve(historyOrdering)
	if err != nil {
		return nil, err
	}
	before := 0
	if w.After != nil {
		before = w.After.ID
	}
	ids := append([]int{r.ID}, MergedIDs(r)...)
	entries, err := history.List(ctx, s.db.Client, s.db.Dialect, r.WorkspaceID, ids, names, before, w.Size+1)
	if err != nil {
		return nil, err
	}
	cursor := func(e history.Entry) string { return page.Encode(historyOrdering, page.Cursor{ID: e.ID}) }
	entries, info := page.Trim(w, entries, cursor)
	p := &HistoryPage{Entries: entries, Info: info, Cursors: make([]string, len(entries))}
	for i, e := range entries {
		p.Cursors[i] = cursor(e)
	}
	return p, nil
}
