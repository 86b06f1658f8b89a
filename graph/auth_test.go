package graph_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/graph/generated"
	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
)

const createKey = `mutation($n: String!, $s: [Scope!]!, $e: DateTime) {
  createApiKey(input: {name: $n, scopes: $s, expiresAt: $e}) { secret apiKey { id name scopes expiresAt workspace { name } } }
}`

// newKey makes a key through a (which must be allowed to) and returns its
// id and secret.
func (a *api) newKey(name string, scopes []string, expiresAt *time.Time) (id, secret string) {
	a.t.Helper()
	vars := map[string]any{"n": name, "s": scopes}
	if expiresAt != nil {
		vars["e"] = expiresAt.Format(time.RFC3339)
	}
	var out struct {
		CreateAPIKey struct {
			Secret string
			APIKey struct{ ID string }
		} `json:"createApiKey"`
	}
	a.ok(createKey, vars, &out)
	return out.CreateAPIKey.APIKey.ID, out.CreateAPIKey.Secret
}

// unauthenticated posts query, which must be refused as a whole with 401
// and UNAUTHENTICATED, and returns the message.
func (a *api) unauthenticated(query string) string {
	a.t.Helper()
	resp := a.do(query, nil)
	if resp.Status != 401 || len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "UNAUTHENTICATED" || resp.Data != nil {
		a.t.Fatalf("want 401 UNAUTHENTICATED and no data, got %d %+v %s", resp.Status, resp.Errors, resp.Data)
	}
	return resp.Errors[0].Message
}

func TestAPIKeyStates(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		const viewer = `{ viewer { local scopes apiKey { name } workspace { name } } }`
		var v struct {
			Viewer struct {
				Local     bool
				Scopes    []string
				APIKey    *struct{ Name string }
				Workspace struct{ Name string }
			}
		}
		a.ok(viewer, nil, &v)
		if !v.Viewer.Local || v.Viewer.APIKey != nil || len(v.Viewer.Scopes) != 5 || v.Viewer.Workspace.Name != "default" {
			t.Fatalf("local viewer %+v", v.Viewer)
		}
		_, admin := a.newKey("admin", []string{"ADMIN"}, nil)
		soon := clock.Now().Add(time.Hour)
		_, expiring := a.as(admin).newKey("expiring", []string{"RECORDS_READ"}, &soon)
		id, secret := a.as(admin).newKey("ci", []string{"RECORDS_READ", "IMPORT_EXPORT"}, nil)
		if !strings.HasPrefix(secret, "crm_") {
			t.Fatalf("secret %q", secret)
		}

		t.Run("once a key exists every request needs one", func(t *testing.T) {
			a.unauthenticated(viewer)
			a.unauthenticated(`{ __schema { queryType { name } } }`)
		})
		t.Run("malformed and unknown keys", func(t *testing.T) {
			a.as("not-a-key").unauthenticated(viewer)
			a.as(secret[:len(secret)-1] + "x").unauthenticated(viewer)
		})
		t.Run("a valid key", func(t *testing.T) {
			k := a.as(secret)
			k.ok(viewer, nil, &v)
			if v.Viewer.Local || v.Viewer.APIKey == nil || v.Viewer.APIKey.Name != "ci" || strings.Join(v.Viewer.Scopes, ",") != "RECORDS_READ,IMPORT_EXPORT" {
				t.Fatalf("viewer %+v", v.Viewer)
			}
			// Introspection needs any valid key, whatever its scopes.
			k.ok(`{ __schema { queryType { name } } }`, nil, nil)
		})
		t.Run("expired", func(t *testing.T) {
			defer clock.Set(soon)()
			if msg := a.as(expiring).unauthenticated(viewer); !strings.Contains(msg, "expired") {
				t.Fatalf("message %q", msg)
			}
		})
		t.Run("revoked at once", func(t *testing.T) {
			a.as(admin).ok(`mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revokedAt } } }`, map[string]any{"id": id}, nil)
			if msg := a.as(secret).unauthenticated(viewer); !strings.Contains(msg, "revoked") {
				t.Fatalf("message %q", msg)
			}
		})
	})
}

func TestScopesPerField(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.create("contacts", map[string]any{"email": "ada@example.com"})
		_, admin := a.newKey("admin", []string{"ADMIN"}, nil)
		_, reader := a.as(admin).newKey("reader", []string{"RECORDS_READ"}, nil)
		_, importer := a.as(admin).newKey("importer", []string{"IMPORT_EXPORT"}, nil)
		r := a.as(reader)

		t.Run("a field the key may not run is FORBIDDEN naming the scope, the others answer", func(t *testing.T) {
			resp := r.do(`{ records(objectType: "contacts") { totalCount } import(id: "SW1wb3J0OjE") { id } }`, nil)
			if resp.Status != 200 || len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "FORBIDDEN" ||
				!strings.Contains(resp.Errors[0].Message, "IMPORT_EXPORT") || !strings.Contains(string(resp.Data), `"totalCount":1`) {
				t.Fatalf("got %d %+v %s", resp.Status, resp.Errors, resp.Data)
			}
		})
		t.Run("a mutation", func(t *testing.T) {
			e := r.fails(`mutation { createRecord(input: {objectType: "contacts", properties: {email: "b@example.com"}}) { record { id } } }`, nil, "FORBIDDEN", "")
			if !strings.Contains(e.Message, "RECORDS_WRITE") {
				t.Fatalf("message %q", e.Message)
			}
			if n := a.count("contacts"); n != 1 {
				t.Fatalf("%d contacts: the refused mutation wrote", n)
			}
		})
		t.Run("a page of records with a nested selection, which read plans answer", func(t *testing.T) {
			e := a.as(importer).fails(`{ records(objectType: "contacts") { edges { node { id associations(toObjectType: "companies") { totalCount } } } } }`, nil, "FORBIDDEN", "")
			if !strings.Contains(e.Message, "RECORDS_READ") {
				t.Fatalf("message %q", e.Message)
			}
		})
		t.Run("ADMIN implies every scope", func(t *testing.T) {
			a.as(admin).ok(`mutation { createRecord(input: {objectType: "contacts", properties: {email: "b@example.com"}}) { record { id } } }`, nil, nil)
			a.as(admin).ok(`{ imports { edges { node { id } } } apiKeys { name } }`, nil, nil)
		})
	})
}

// TestEveryRootFieldHasAScope fails when a root field is added without
// saying, in the schema, what a key needs to run it.
func TestEveryRootFieldHasAScope(t *testing.T) {
	s := generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}}).Schema()
	for _, root := range []*ast.Definition{s.Query, s.Mutation} {
		for _, f := range root.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			scope := f.Directives.ForName("hasScope")
			if scope == nil && f.Directives.ForName("authenticated") == nil {
				t.Errorf("%s.%s has neither @hasScope nor @authenticated", root.Name, f.Name)
			}
		}
	}
}

// unreadBody is a request body that notes whether anything read it.
type unreadBody struct {
	io.Reader
	read bool
}

func (b *unreadBody) Read(p []byte) (int, error) {
	b.read = true
	return b.Reader.Read(p)
}

// TestKeyCheckedBeforeTheBody: once keys exist, a request without one is
// refused before its body is read, so that a body the server would refuse
// as too large or malformed gets 401, not 413 or 400, and costs nothing.
func TestKeyCheckedBeforeTheBody(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.newKey("admin", []string{"ADMIN"}, nil)
		for name, body := range map[string]string{
			"too large": `{"query":"{ viewer { local } }","variables":{"pad":"` + strings.Repeat("x", graph.MaxBodyBytes) + `"}}`,
			"malformed": `{"query":`,
		} {
			t.Run(name, func(t *testing.T) {
				b := &unreadBody{Reader: strings.NewReader(body)}
				req := httptest.NewRequest(http.MethodPost, "/graphql", b)
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				a.h.ServeHTTP(rec, req)
				var resp response
				if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
					t.Fatalf("answer is not JSON: %v\n%s", err, rec.Body.String())
				}
				if rec.Code != http.StatusUnauthorized || len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "UNAUTHENTICATED" || resp.Data != nil {
					t.Fatalf("want 401 UNAUTHENTICATED, got %d %s", rec.Code, rec.Body.String())
				}
				if b.read {
					t.Fatal("the body was read before the key was checked")
				}
			})
		}
	})
}

// Two server processes over one database: a key revoked through one (or by
// SQL, as the CLI of another process does) is refused by the very next
// request on the other, every time, while between changes the other
// trusts the key it read without a statement (PostgreSQL: its watch heard
// nothing of keys; SQLite reads the key at every request).
func TestKeyRevokedOnEveryServer(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			shared := dbtest.URL(t, dialect)
			a := newAPI(t, dbtest.OpenURL(t, shared), nil)
			counter := &db.Counter{}
			b := newAPI(t, dbtest.OpenURL(t, shared, db.WithCounter(counter)), counter)
			_, admin := a.newKey("admin", []string{"ADMIN"}, nil)
			const viewer = `{ viewer { apiKey { name lastUsedAt } } }`
			statements := func(k *api) int64 {
				t.Helper()
				counter.Reset()
				var v struct {
					Viewer struct{ APIKey struct{ LastUsedAt *string } }
				}
				k.ok(viewer, nil, &v)
				n := counter.Count()
				if v.Viewer.APIKey.LastUsedAt == nil {
					t.Fatal("a key in use has no lastUsedAt")
				}
				return n
			}
			for round := range 20 {
				id, secret := a.as(admin).newKey(fmt.Sprint("reader ", round), []string{"RECORDS_READ"}, nil)
				statements(b.as(secret)) // b reads the new key
				want := int64(1)         // the key's statement
				if dialect == "postgres" {
					want = 0
				}
				if n := statements(b.as(secret)); n != want {
					t.Fatalf("round %d: %d statements for a request of a key read before, want %d", round, n, want)
				}
				if round%2 == 0 {
					a.as(admin).ok(`mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revokedAt } } }`, map[string]any{"id": id}, nil)
				} else if _, err := a.d.SQL.ExecContext(t.Context(), "UPDATE api_keys SET revoked_at = CURRENT_TIMESTAMP WHERE name = '"+fmt.Sprint("reader ", round)+"'"); err != nil {
					t.Fatal(err)
				}
				if msg := b.as(secret).unauthenticated(viewer); !strings.Contains(msg, "revoked") {
					t.Fatalf("round %d: %q", round, msg)
				}
			}
			if dialect != "postgres" {
				return
			}
			// A workspace renamed (its name is in the cached key) makes the
			// next request read its key again.
			statements(b.as(admin))
			if _, err := a.d.SQL.ExecContext(t.Context(), "UPDATE workspaces SET name = name || ' renamed'"); err != nil {
				t.Fatal(err)
			}
			if n := statements(b.as(admin)); n != 1 {
				t.Fatalf("%d statements after a workspace was renamed, want 1 (the key read again)", n)
			}
			// Emptied by hand, the table takes every cached key with it.
			statements(b.as(admin))
			if _, err := a.d.SQL.ExecContext(t.Context(), "TRUNCATE api_keys"); err != nil {
				t.Fatal(err)
			}
			b.as(admin).unauthenticated(viewer)
		})
	}
}
