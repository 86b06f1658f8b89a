package db_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
)

// texts and tokens are words apart and together, in both cases, with
// letters beyond ASCII, digits and the characters that part words.
var (
	tokenTexts = []string{"Acme corp", "ACME-corp rocks", "acmecorp", "foo_bar baz", "café au lait", "CAFÉ", "x1 y2 z3",
		"a.b", "ÄRGER ärger", "aaa", "abab", "Émile's", "ÉMILE'S", "café", "line one\nline two", "", "ab ba", "naïve résumé"}
	tokenPatterns = []string{"acme", "acme*", "*corp", "a*b", "ab*ab", "café", "ärger", "x1", "*ar", "a*a", "foo", "bar",
		"*o*", "émile", "s", "résumé", "na*ve", "ab*", "*b"}
)

// The SQL of Token (a regular expression on PostgreSQL, crm_has_token on
// SQLite) decides as HasToken does, without case, on both databases; and
// Fold folds and orders as Go's strings.ToLower and byte order do.
func TestTokenAndFoldAgreeWithGo(t *testing.T) {
	for _, name := range dbtest.Dialects {
		t.Run(name, func(t *testing.T) {
			d := dbtest.Open(t, name)
			doc := db.ValueDoc("v", "doc")
			for _, text := range tokenTexts {
				raw, _ := json.Marshal(text)
				for _, token := range tokenPatterns {
					q := db.Build(d.Dialect, "SELECT CASE WHEN ").Token(doc, token).T(" THEN 1 ELSE 0 END FROM (SELECT ").Arg(string(raw)).T(" AS doc) v")
					var got int
					if err := d.ReadRow(context.Background(), q, &got); err != nil {
						t.Fatal(err)
					}
					if want := db.HasToken(strings.ToLower(text), strings.ToLower(token)); (got == 1) != want {
						t.Errorf("%q holds %q: %v, want %v", text, token, got == 1, want)
					}
				}
				for _, other := range tokenTexts {
					q := db.Build(d.Dialect, "SELECT CASE WHEN ").Fold(doc).T(" = ").FoldArg(other).T(" THEN 0 WHEN ").Fold(doc).T(" < ").FoldArg(other).
						T(" THEN -1 ELSE 1 END FROM (SELECT ").Arg(string(raw)).T(" AS doc) v")
					var got int
					if err := d.ReadRow(context.Background(), q, &got); err != nil {
						t.Fatal(err)
					}
					if want := strings.Compare(strings.ToLower(text), strings.ToLower(other)); got != want {
						t.Errorf("%q against %q folded: %d, want %d", text, other, got, want)
					}
				}
			}
		})
	}
}
