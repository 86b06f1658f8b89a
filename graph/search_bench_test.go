package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/install"
)

// BenchmarkSearch times a page of 50 by relevance, with its totalCount,
// through the API over 100,000 records (titles of three words among 4,096
// and a number), on every database:
//
//	go test ./graph -run '^$' -bench BenchmarkSearch -benchtime 20x
func BenchmarkSearch(b *testing.B) {
	for _, name := range dbtest.Dialects {
		b.Run(name, func(b *testing.B) {
			d := dbtest.Open(b, name)
			ws, err := install.Default(context.Background(), d)
			if err != nil {
				b.Fatal(err)
			}
			h := graph.NewHandler(graph.Config{DB: d, WorkspaceID: ws})
			post := func(query string, vars map[string]any) {
				body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `"errors"`) {
					b.Fatalf("%d %s", rec.Code, rec.Body.String())
				}
			}
			post(createObjectTypeMutation, inVars(map[string]any{"name": "documents", "singularLabel": "Document", "pluralLabel": "Documents",
				"properties":           []map[string]any{{"name": "title", "label": "Title", "type": "STRING", "fieldType": "TEXT"}},
				"searchableProperties": []string{"title"}}))
			// 4,096 words of three syllables, three a title and a number.
			syllables := strings.Fields("ka lo mi ren to sa vi dor el an ti ber go lu ne ris")
			words := make([]string, 0, 4096)
			for i := range 4096 {
				words = append(words, syllables[i/256]+syllables[i/16%16]+syllables[i%16])
			}
			for batch := 0; batch < 100; batch++ {
				inputs := make([]map[string]any, 1000)
				for i := range inputs {
					n := batch*1000 + i
					inputs[i] = map[string]any{"properties": map[string]any{
						"title": fmt.Sprintf("%s %s %s doc%d", words[n%4096], words[n*7%4093], words[n*13%4091], n)}}
				}
				post(`mutation($in: [NewRecordInput!]!) { createRecords(input: {objectType: "documents", inputs: $in}) { written } }`,
					map[string]any{"in": inputs})
			}
			// As autovacuum would leave them: statistics made, and on
			// PostgreSQL the GIN index's pending list merged.
			settle := "ANALYZE"
			if d.Dialect.Name() == "postgres" {
				settle = "VACUUM ANALYZE records"
			}
			if _, err := d.SQL.Exec(settle); err != nil {
				b.Fatal(err)
			}
			// Matching 11 records (doc1234*), 74 (a word), 1,183 (a prefix
			// of 16 words), 18,053 (of 256 words: two letters typed).
			for _, q := range []string{"doc1234", "kalomi", "kalo", "ka"} {
				b.Run(q, func(b *testing.B) {
					for b.Loop() {
						post(`query($q: String) { records(objectType: "documents", query: $q, first: 50) { totalCount edges { node { id } } } }`,
							map[string]any{"q": q})
					}
				})
			}
		})
	}
}
