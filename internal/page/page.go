// Package page is Relay pagination for every connection: arguments, keyset
// cursors and page info. A cursor holds the ordering's name, the sort value
// and the id (the final tiebreak); pages never use OFFSET.
package page

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/db"
)

// Page sizes.
const (
	DefaultSize = 50
	MaxSize     = 1000
)

// Args are a connection's arguments as the client sent them.
type Args struct {
	First  *int    `json:"first,omitempty"`
	After  *string `json:"after,omitempty"`
	Last   *int    `json:"last,omitempty"`
	Before *string `json:"before,omitempty"`
}

// Key is one parent's read in a comparable form, for loaders: reads that
// are equal but for their parent share Shape, and a store answers them in
// one statement. P is the parent.
type Key[P comparable] struct {
	Parent P
	Shape  string
}

// Shape encodes a read's arguments (a struct without the parent) so that
// equal reads compare equal; Decode reads it back.
func Shape(read any) string {
	b, err := json.Marshal(read)
	if err != nil {
		panic(fmt.Sprintf("page: a read that does not encode: %v", err))
	}
	return string(b)
}

// Decode reads the arguments of k's Shape into read.
func (k Key[P]) Decode(read any) error {
	if err := json.Unmarshal([]byte(k.Shape), read); err != nil {
		return fmt.Errorf("page: decode a read's shape: %w", err)
	}
	return nil
}

// Cursor is a position in one ordering: the row's sort value and id.
type Cursor struct {
	Value any
	ID    int
}

// Window is what a store needs to fetch one page: Size rows (one more to
// learn whether more exist) strictly after After and before Before in the
// ordering, walking it backwards when Backward (a last: page).
type Window struct {
	Size     int
	Backward bool
	After    *Cursor
	Before   *Cursor
}

// Resolve checks args and turns them into a Window for the named ordering.
func (a Args) Resolve(ordering string) (Window, error) {
	if a.First != nil && a.Last != nil {
		return Window{}, apierr.New(apierr.BadUserInput, "pass first or last, not both")
	}
	w := Window{Size: DefaultSize}
	for _, n := range []*int{a.First, a.Last} {
		if n == nil {
			continue
		}
		if *n < 0 {
			return Window{}, apierr.New(apierr.BadUserInput, "first and last must not be negative, got %d", *n)
		}
		if *n > MaxSize {
			return Window{}, apierr.New(apierr.LimitExceeded, "a page holds at most %d items, %d were asked for", MaxSize, *n)
		}
		w.Size = *n
	}
	w.Backward = a.Last != nil
	var err error
	if w.After, err = decode(a.After, ordering); err != nil {
		return Window{}, err
	}
	if w.Before, err = decode(a.Before, ordering); err != nil {
		return Window{}, err
	}
	return w, nil
}

type wire struct {
	O string `json:"o"`
	V any    `json:"v"`
	I int    `json:"i"`
}

// Encode returns the opaque cursor of c in the named ordering.
func Encode(ordering string, c Cursor) string {
	b, _ := json.Marshal(wire{O: ordering, V: c.Value, I: c.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decode(s *string, ordering string) (*Cursor, error) {
	if s == nil {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(*s)
	var w wire
	if err == nil {
		err = json.Unmarshal(raw, &w)
	}
	if err != nil || w.I <= 0 {
		return nil, apierr.New(apierr.BadUserInput, "%q is not a valid cursor", *s)
	}
	if w.O != ordering {
		return nil, apierr.New(apierr.BadUserInput, "cursor %q belongs to another ordering", *s)
	}
	return &Cursor{Value: w.V, ID: w.I}, nil
}

// Info is Relay's PageInfo. Its cursors are encoded when asked for: most
// pages of a nested read are read without them.
type Info struct {
	HasNextPage     bool
	HasPreviousPage bool
	// start and end encode the cursors of the page's first and last rows;
	// nil on an empty page.
	start, end func() string
}

// StartCursor is the cursor of the page's first row, nil on an empty page.
func (i Info) StartCursor() *string { return encoded(i.start) }

// EndCursor is the cursor of the page's last row, nil on an empty page.
func (i Info) EndCursor() *string { return encoded(i.end) }

func encoded(cursor func() string) *string {
	if cursor == nil {
		return nil
	}
	s := cursor()
	return &s
}

// Trim cuts the extra row a store fetched (it asks for Size+1), puts rows
// back in the ordering's direction for a backward page, and computes the
// page info. cursor gives a row's cursor.
func Trim[T any](w Window, rows []T, cursor func(T) string) ([]T, Info) {
	more := len(rows) > w.Size
	if more {
		rows = rows[:w.Size]
	}
	if w.Backward {
		for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
			rows[i], rows[j] = rows[j], rows[i]
		}
	}
	info := Info{}
	if w.Backward {
		info.HasPreviousPage = more
		info.HasNextPage = w.Before != nil
	} else {
		info.HasNextPage = more
		info.HasPreviousPage = w.After != nil
	}
	if len(rows) > 0 {
		first, last := rows[0], rows[len(rows)-1]
		info.start = func() string { return cursor(first) }
		info.end = func() string { return cursor(last) }
	}
	return rows, info
}

// TimeCursor is the cursor of a row ordered by a time, then id.
func TimeCursor(ordering string, t time.Time, id int) string {
	return Encode(ordering, Cursor{Value: t.UTC().Format(time.RFC3339Nano), ID: id})
}

// Time is the sort value of a cursor made by TimeCursor.
func (c *Cursor) Time() (time.Time, error) {
	s, _ := c.Value.(string)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, apierr.New(apierr.BadUserInput, "cursor holds no valid position")
	}
	return t.UTC(), nil
}

// TimeBounds appends the SQL that keeps rows strictly between the window's
// cursors in an order by a time column, then an id column, of the relation
// aliased alias ("" for none), descending: " AND (t, id) < (?, ?)" for
// after, "> (?, ?)" for before.
func (w Window) TimeBounds(q *db.SQL, alias, timeColumn, idColumn string) error {
	for _, bound := range []struct {
		c      *Cursor
		before bool
	}{{w.After, false}, {w.Before, true}} {
		if bound.c == nil {
			continue
		}
		t, err := bound.c.Time()
		if err != nil {
			return err
		}
		q.T(" AND (")
		for i, c := range []string{timeColumn, idColumn} {
			if i > 0 {
				q.T(", ")
			}
			if alias != "" {
				q.Ident(alias, c)
			} else {
				q.Ident(c)
			}
		}
		if bound.before {
			q.T(") > (")
		} else {
			q.T(") < (")
		}
		q.Args(t, bound.c.ID).T(")")
	}
	return nil
}
