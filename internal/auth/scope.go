// Package auth owns API keys: their secrets (random, shown once, kept only
// as a SHA-256), their scopes, expiry and revocation, and the check of the
// key a request carries. A key belongs to one workspace; the request works
// in it.
package auth

import (
	"fmt"
	"slices"
	"strings"
)

// Scope is what a key may do. The schema's @hasScope directive names the
// scope each root field needs.
type Scope string

// The scopes. Admin implies every other.
const (
	RecordsRead  Scope = "RECORDS_READ"
	RecordsWrite Scope = "RECORDS_WRITE"
	SchemaWrite  Scope = "SCHEMA_WRITE"
	ImportExport Scope = "IMPORT_EXPORT"
	Admin        Scope = "ADMIN"
)

// AllScopes are the scopes, in the order the schema lists them.
var AllScopes = []Scope{RecordsRead, RecordsWrite, SchemaWrite, ImportExport, Admin}

// ParseScopes reads scope names (as the CLI takes them, case-insensitive),
// refusing an unknown one and an empty list.
func ParseScopes(names []string) ([]Scope, error) {
	var out []Scope
	for _, n := range names {
		s := Scope(strings.ToUpper(strings.TrimSpace(n)))
		if !slices.Contains(AllScopes, s) {
			return nil, fmt.Errorf("unknown scope %q: the scopes are %s", n, joinScopes(AllScopes))
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("a key needs at least one scope: %s", joinScopes(AllScopes))
	}
	return out, nil
}

// Allows tells whether holding scopes grants need: ADMIN grants all.
func Allows(scopes []Scope, need Scope) bool {
	return slices.Contains(scopes, need) || slices.Contains(scopes, Admin)
}

func joinScopes(scopes []Scope) string {
	names := make([]string, len(scopes))
	for i, s := range scopes {
		names[i] = string(s)
	}
	return strings.Join(names, ",")
}

func splitScopes(stored string) []Scope {
	var out []Scope
	for n := range strings.SplitSeq(stored, ",") {
		if n != "" {
			out = append(out, Scope(n))
		}
	}
	return out
}
