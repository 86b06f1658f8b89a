package db

import (
	"database/sql/driver"
	"fmt"
	"time"

	"entgo.io/ent/dialect"

	msqlite "modernc.org/sqlite"
)

// timeLayouts are the texts SQLite holds times in: the driver's for a time
// column, RFC 3339 for a datetime value (values.DateTimeLayout is one).
var timeLayouts = []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"}

// micros parses a time SQLite holds into microseconds since the Unix
// epoch.
func micros(v driver.Value) (driver.Value, error) {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	case time.Time:
		return v.UnixMicro(), nil
	default:
		return nil, nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixMicro(), nil
		}
	}
	return nil, nil
}

func init() {
	err := msqlite.RegisterDeterministicScalarFunction("crm_micros", 1, func(_ *msqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		return micros(args[0])
	})
	if err != nil {
		panic(fmt.Sprintf("db: register crm_micros: %v", err))
	}
}

// Micros appends the time column of alias ("" for none) as microseconds
// since the Unix epoch: one integer that orders and compares times however
// they are stored, a column's or a datetime value's (MicrosText).
func (q *SQL) Micros(alias, column string) *SQL {
	if q.d.Name() == dialect.Postgres {
		q.T("CAST(EXTRACT(EPOCH FROM ")
		q.column(alias, column)
		return q.T(") * 1000000 AS bigint)")
	}
	q.T("crm_micros(")
	q.column(alias, column)
	return q.T(")")
}

// MicrosText appends the datetime value d as Micros does a column, NULL
// when absent.
func (q *SQL) MicrosText(d Doc) *SQL {
	if q.d.Name() == dialect.Postgres {
		q.T("CAST(EXTRACT(EPOCH FROM CAST(")
		q.Text(d)
		return q.T(" AS timestamptz)) * 1000000 AS bigint)")
	}
	q.T("crm_micros(")
	q.Text(d)
	return q.T(")")
}
