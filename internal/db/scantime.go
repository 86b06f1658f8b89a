package db

import (
	"fmt"
	"time"
)

// sqliteTimeLayouts are how SQLite hands back a time it computed (MAX of a
// datetime column): as the text modernc.org/sqlite stored, having no
// declared column type to convert it by.
var sqliteTimeLayouts = []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", time.RFC3339Nano}

// NullTime scans a time that may be NULL and, on SQLite, may come as text:
// an aggregate of a time column.
type NullTime struct {
	Time  time.Time
	Valid bool
}

// Scan implements sql.Scanner.
func (n *NullTime) Scan(v any) error {
	n.Valid = v != nil
	switch v := v.(type) {
	case nil:
		n.Time = time.Time{}
		return nil
	case time.Time:
		n.Time = v.UTC()
		return nil
	case []byte:
		return n.parse(string(v))
	case string:
		return n.parse(v)
	}
	return fmt.Errorf("scan %T as a time", v)
}

func (n *NullTime) parse(s string) error {
	for _, layout := range sqliteTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			n.Time = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("scan %q as a time", s)
}
