package page_test

import (
	"encoding/base64"
	"reflect"
	"strconv"
	"testing"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/page"
)

func intp(n int) *int       { return &n }
func strp(s string) *string { return &s }
func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func wantCode(t *testing.T, err error, code apierr.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted; want %s", code)
	}
	if got := apierr.CodeOf(err); got != code {
		t.Errorf("code = %s, want %s (%v)", got, code, err)
	}
}

func TestResolve(t *testing.T) {
	const ordering = "id"
	after := page.Encode(ordering, page.Cursor{Value: "b", ID: 2})
	before := page.Encode(ordering, page.Cursor{Value: "y", ID: 25})
	tests := []struct {
		name string
		args page.Args
		want page.Window
	}{
		{"no arguments: the default page, forward", page.Args{}, page.Window{Size: page.DefaultSize}},
		{"first", page.Args{First: intp(10)}, page.Window{Size: 10}},
		{"first zero is an empty page", page.Args{First: intp(0)}, page.Window{Size: 0}},
		{"first at the maximum", page.Args{First: intp(page.MaxSize)}, page.Window{Size: page.MaxSize}},
		{"last walks backwards", page.Args{Last: intp(3)}, page.Window{Size: 3, Backward: true}},
		{"after alone keeps the default size", page.Args{After: &after},
			page.Window{Size: page.DefaultSize, After: &page.Cursor{Value: "b", ID: 2}}},
		{"last with before", page.Args{Last: intp(5), Before: &before},
			page.Window{Size: 5, Backward: true, Before: &page.Cursor{Value: "y", ID: 25}}},
		{"a range: after and before", page.Args{First: intp(5), After: &after, Before: &before},
			page.Window{Size: 5, After: &page.Cursor{Value: "b", ID: 2}, Before: &page.Cursor{Value: "y", ID: 25}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.args.Resolve(ordering)
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Resolve = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestResolveRefuses(t *testing.T) {
	other := page.Encode("name", page.Cursor{Value: "b", ID: 2})
	zeroID := page.Encode("id", page.Cursor{Value: 1, ID: 0})
	tests := []struct {
		name string
		args page.Args
		code apierr.Code
	}{
		// Relay allows both, but their meaning together is murky; refusing
		// is better than guessing.
		{"first and last", page.Args{First: intp(1), Last: intp(1)}, apierr.BadUserInput},
		{"negative first", page.Args{First: intp(-1)}, apierr.BadUserInput},
		{"negative last", page.Args{Last: intp(-1)}, apierr.BadUserInput},
		// A page too large is a limit, which clients handle differently
		// from a malformed request.
		{"first over the maximum", page.Args{First: intp(page.MaxSize + 1)}, apierr.LimitExceeded},
		{"last over the maximum", page.Args{Last: intp(page.MaxSize + 1)}, apierr.LimitExceeded},
		// A cursor of another sort would seek to a meaningless position.
		{"after cursor of another ordering", page.Args{After: &other}, apierr.BadUserInput},
		{"before cursor of another ordering", page.Args{Before: &other}, apierr.BadUserInput},
		{"garbage cursor", page.Args{After: strp("not a cursor!")}, apierr.BadUserInput},
		{"empty cursor", page.Args{After: strp("")}, apierr.BadUserInput},
		{"base64 of non-JSON", page.Args{After: strp(base64.RawURLEncoding.EncodeToString([]byte("id:5")))}, apierr.BadUserInput},
		{"JSON of the wrong shape", page.Args{Before: strp(base64.RawURLEncoding.EncodeToString([]byte(`[1,2]`)))}, apierr.BadUserInput},
		{"cursor without an id", page.Args{After: &zeroID}, apierr.BadUserInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.args.Resolve("id")
			wantCode(t, err, tt.code)
			if !reflect.DeepEqual(got, page.Window{}) {
				t.Errorf("Resolve returned %+v beside its error", got)
			}
		})
	}
}

func TestCursorRoundTrip(t *testing.T) {
	// A cursor the server handed out must bring the client back to the
	// same row, whatever the sort value's JSON type.
	tests := []struct {
		name string
		in   page.Cursor
		want page.Cursor
	}{
		{"string value", page.Cursor{Value: "Ann", ID: 7}, page.Cursor{Value: "Ann", ID: 7}},
		{"no value", page.Cursor{Value: nil, ID: 9}, page.Cursor{Value: nil, ID: 9}},
		{"bool value", page.Cursor{Value: true, ID: 1}, page.Cursor{Value: true, ID: 1}},
		// Numbers come back as float64: encoding/json decodes into any so.
		{"number value", page.Cursor{Value: 12.5, ID: 3}, page.Cursor{Value: 12.5, ID: 3}},
		{"value with unicode and quotes", page.Cursor{Value: `é "q" 😀`, ID: 42}, page.Cursor{Value: `é "q" 😀`, ID: 42}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := page.Encode("dealname", tt.in)
			// The cursor travels in URLs and JSON: URL-safe characters only.
			if _, err := base64.RawURLEncoding.DecodeString(c); err != nil {
				t.Fatalf("cursor %q is not unpadded base64url: %v", c, err)
			}
			w, err := page.Args{After: &c}.Resolve("dealname")
			if err != nil {
				t.Fatalf("Resolve(after %q): %v", c, err)
			}
			if w.After == nil || !reflect.DeepEqual(*w.After, tt.want) {
				t.Errorf("after = %+v, want %+v", w.After, tt.want)
			}
		})
	}
}

type row struct{ id int }

func cursorOf(r row) string { return "c" + strconv.Itoa(r.id) }

func rows(ids ...int) []row {
	out := make([]row, len(ids))
	for i, id := range ids {
		out[i] = row{id}
	}
	return out
}

// wantInfo is the page.Info a test expects, its cursors spelled out.
type wantInfo struct {
	HasNextPage, HasPreviousPage bool
	StartCursor, EndCursor       *string
}

func TestTrim(t *testing.T) {
	somewhere := &page.Cursor{Value: "x", ID: 10}
	tests := []struct {
		name    string
		window  page.Window
		fetched []row // as the store returns them: Size+1 at most, in walking order
		want    []row
		info    wantInfo
	}{
		{"forward, more exist: the extra row is cut",
			page.Window{Size: 3}, rows(1, 2, 3, 4), rows(1, 2, 3),
			wantInfo{HasNextPage: true, StartCursor: strp("c1"), EndCursor: strp("c3")}},
		{"forward, last page",
			page.Window{Size: 3}, rows(1, 2), rows(1, 2),
			wantInfo{StartCursor: strp("c1"), EndCursor: strp("c2")}},
		{"forward, exactly full: no next page",
			page.Window{Size: 2}, rows(1, 2), rows(1, 2),
			wantInfo{StartCursor: strp("c1"), EndCursor: strp("c2")}},
		{"forward after a cursor has a previous page",
			page.Window{Size: 2, After: somewhere}, rows(11, 12, 13), rows(11, 12),
			wantInfo{HasNextPage: true, HasPreviousPage: true, StartCursor: strp("c11"), EndCursor: strp("c12")}},
		{"forward, empty: no cursors",
			page.Window{Size: 3}, nil, nil,
			wantInfo{}},
		{"forward after the end: previous page, no cursors",
			page.Window{Size: 3, After: somewhere}, rows(), rows(),
			wantInfo{HasPreviousPage: true}},
		// A backward store walks from the end (9, 8, 7, 6) and the page is
		// put back in the ordering's direction.
		{"backward, more exist: reversed, extra row cut",
			page.Window{Size: 3, Backward: true}, rows(9, 8, 7, 6), rows(7, 8, 9),
			wantInfo{HasPreviousPage: true, StartCursor: strp("c7"), EndCursor: strp("c9")}},
		{"backward, first page of the ordering",
			page.Window{Size: 3, Backward: true}, rows(2, 1), rows(1, 2),
			wantInfo{StartCursor: strp("c1"), EndCursor: strp("c2")}},
		{"backward before a cursor has a next page",
			page.Window{Size: 2, Backward: true, Before: somewhere}, rows(9, 8, 7), rows(8, 9),
			wantInfo{HasNextPage: true, HasPreviousPage: true, StartCursor: strp("c8"), EndCursor: strp("c9")}},
		{"backward single row",
			page.Window{Size: 5, Backward: true}, rows(4), rows(4),
			wantInfo{StartCursor: strp("c4"), EndCursor: strp("c4")}},
		{"size zero with rows: a next page, no cursors",
			page.Window{Size: 0}, rows(1), rows(),
			wantInfo{HasNextPage: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, info := page.Trim(tt.window, tt.fetched, cursorOf)
			if len(got) != len(tt.want) || (len(got) > 0 && !reflect.DeepEqual(got, tt.want)) {
				t.Errorf("rows = %v, want %v", got, tt.want)
			}
			if info.HasNextPage != tt.info.HasNextPage || info.HasPreviousPage != tt.info.HasPreviousPage {
				t.Errorf("hasNextPage, hasPreviousPage = %v, %v; want %v, %v",
					info.HasNextPage, info.HasPreviousPage, tt.info.HasNextPage, tt.info.HasPreviousPage)
			}
			if deref(info.StartCursor()) != deref(tt.info.StartCursor) || deref(info.EndCursor()) != deref(tt.info.EndCursor) {
				t.Errorf("startCursor, endCursor = %s, %s; want %s, %s",
					deref(info.StartCursor()), deref(info.EndCursor()), deref(tt.info.StartCursor), deref(tt.info.EndCursor))
			}
		})
	}
}
