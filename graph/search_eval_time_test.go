package graph_test

// The evaluator's dates and datetimes: spans of time, and relative values
// resolved against its clock.

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// span is the moments a date or datetime covers: [start, end).
type span struct{ start, end time.Time }

// recordSpan: a stored date is its UTC day, a stored datetime its
// millisecond, a system column's moment its microsecond.
func recordSpan(kind string, v any) span {
	switch kind {
	case kindMoment:
		t := v.(time.Time)
		return span{t, t.Add(time.Microsecond)}
	case kindDate:
		t, err := time.Parse("2006-01-02", v.(string))
		if err != nil {
			panic(err)
		}
		return span{t, t.AddDate(0, 0, 1)}
	}
	t, err := time.Parse(time.RFC3339Nano, v.(string))
	if err != nil {
		panic(err)
	}
	return span{t, t.Add(time.Millisecond)}
}

var durationForm = regexp.MustCompile(`^([+-]?)P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`)

// valueSpan: a leaf's date is its UTC day; a datetime (RFC 3339, or
// milliseconds since the epoch) its millisecond; a signed ISO 8601
// duration the millisecond that far from now.
func (w *evalWorld) valueSpan(v any) span {
	ms := func(t time.Time) span {
		t = t.UTC().Truncate(time.Millisecond)
		return span{t, t.Add(time.Millisecond)}
	}
	s, ok := v.(string)
	if !ok {
		n, err := strconv.ParseInt(fmt.Sprint(v), 10, 64)
		if err != nil {
			panic(fmt.Sprintf("evaluator: %v is not a moment", v))
		}
		return ms(time.UnixMilli(n))
	}
	if m := durationForm.FindStringSubmatch(s); m != nil {
		sign := 1
		if m[1] == "-" {
			sign = -1
		}
		n := make([]int, 7)
		for i := range n {
			n[i], _ = strconv.Atoi(m[i+2])
		}
		t := w.now.UTC().AddDate(sign*n[0], sign*n[1], sign*(7*n[2]+n[3]))
		return ms(t.Add(time.Duration(sign) * (time.Duration(n[4])*time.Hour + time.Duration(n[5])*time.Minute + time.Duration(n[6])*time.Second)))
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return span{t, t.AddDate(0, 0, 1)}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(fmt.Sprintf("evaluator: %q is not a moment", s))
	}
	return ms(t)
}

// temporal compares spans: EQ when they overlap, LT when the record's ends
// by the value's start, LTE when it starts before the value's end, and so on.
func (w *evalWorld) temporal(op string, r span, vals []any) bool {
	before := func(a, b time.Time) bool { return !a.After(b) } // a <= b
	switch op {
	case "EQ", "IN":
		return slices.ContainsFunc(vals, func(x any) bool {
			v := w.valueSpan(x)
			return r.start.Before(v.end) && r.end.After(v.start)
		})
	case "LT":
		return before(r.end, w.valueSpan(vals[0]).start)
	case "LTE":
		return r.start.Before(w.valueSpan(vals[0]).end)
	case "GT":
		return !r.start.Before(w.valueSpan(vals[0]).end)
	case "GTE":
		return r.end.After(w.valueSpan(vals[0]).start)
	case "BETWEEN":
		return r.end.After(w.valueSpan(vals[0]).start) && r.start.Before(w.valueSpan(vals[1]).end)
	}
	panic("evaluator: not a temporal operator: " + op)
}
