package search

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Duration is a signed ISO 8601 duration: years, months, weeks, days,
// hours, minutes and seconds, as a filter's relative date writes it.
type Duration struct {
	Sign                                             int
	Years, Months, Weeks, Days, Hours, Minutes, Secs int
}

var durationRule = regexp.MustCompile(`^([+-]?)P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`)

// IsDuration reports whether s is written as a duration (it may still be
// a malformed one).
func IsDuration(s string) bool {
	return len(s) > 0 && (s[0] == 'P' || (len(s) > 1 && (s[0] == '-' || s[0] == '+') && s[1] == 'P'))
}

// ParseDuration reads "-P90D", "P1Y2M", "-PT1H30M"...
func ParseDuration(s string) (Duration, error) {
	m := durationRule.FindStringSubmatch(s)
	if m == nil || s == "P" || s == "-P" || s == "+P" || s[len(s)-1] == 'T' {
		return Duration{}, fmt.Errorf("%q is not an ISO 8601 duration such as -P90D or PT1H", s)
	}
	d := Duration{Sign: 1}
	if m[1] == "-" {
		d.Sign = -1
	}
	parts := []*int{&d.Years, &d.Months, &d.Weeks, &d.Days, &d.Hours, &d.Minutes, &d.Secs}
	for i, p := range parts {
		if m[i+2] == "" {
			continue
		}
		n, err := strconv.Atoi(m[i+2])
		if err != nil || n > 100000 {
			return Duration{}, fmt.Errorf("%q is too long a duration", s)
		}
		*p = n
	}
	return d, nil
}

// From is the moment d away from t, in UTC: calendar parts by the
// calendar (a month back from March 31 is March 3 or 2, as Go's AddDate
// normalises), the rest by the clock.
func (d Duration) From(t time.Time) time.Time {
	t = t.UTC().AddDate(d.Sign*d.Years, d.Sign*d.Months, d.Sign*(7*d.Weeks+d.Days))
	clock := time.Duration(d.Hours)*time.Hour + time.Duration(d.Minutes)*time.Minute + time.Duration(d.Secs)*time.Second
	return t.Add(time.Duration(d.Sign) * clock)
}
