package graph_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/acme/crm/graph"
	"github.com/acme/crm/internal/auth"
	"github.com/acme/crm/internal/gid"
)

const ownerFields = `id ownerId email firstName lastName name archived teams { name } primaryTeam { name }`

type ownerJSON struct {
	ID          string
	OwnerID     int
	Email       string
	FirstName   string
	LastName    string
	Name        string
	Archived    bool
	Teams       []struct{ Name string }
	PrimaryTeam *struct{ Name string }
}

// createOwner makes an owner and answers it.
func (a *api) createOwner(in map[string]any) ownerJSON {
	a.t.Helper()
	var out struct{ CreateOwner struct{ Owner ownerJSON } }
	a.ok(`mutation($in: CreateOwnerInput!) { createOwner(input: $in) { owner { `+ownerFields+` } } }`, map[string]any{"in": in}, &out)
	return out.CreateOwner.Owner
}

// createTeam makes a team and answers its id.
func (a *api) createTeam(name string, owners ...string) string {
	a.t.Helper()
	var out struct {
		CreateTeam struct{ Team struct{ ID string } }
	}
	a.ok(`mutation($n: String!, $o: [ID!]) { createTeam(input: {name: $n, ownerIds: $o}) { team { id } } }`,
		map[string]any{"n": name, "o": owners}, &out)
	return out.CreateTeam.Team.ID
}

// ownerEmails lists the owners' emails, archived ones too.
func (a *api) ownerEmails() []string {
	a.t.Helper()
	var out struct{ Owners []ownerJSON }
	a.ok(`{ owners(archived: true) { email } }`, nil, &out)
	emails := []string{}
	for _, o := range out.Owners {
		emails = append(emails, o.Email)
	}
	return emails
}

func TestOwnersAndTeams(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		ann := a.createOwner(map[string]any{"email": " Ann@Acme.io ", "firstName": "Ann", "lastName": "Lee"})
		if ann.Email != "ann@acme.io" || ann.Name != "Ann Lee" || ann.Archived || len(ann.Teams) != 0 || ann.PrimaryTeam != nil {
			t.Fatalf("created %+v", ann)
		}
		bob := a.createOwner(map[string]any{"email": "bob@acme.io"})
		if bob.Name != "bob@acme.io" {
			t.Fatalf("an owner without names is shown by email: %+v", bob)
		}

		t.Run("refusals write nothing", func(t *testing.T) {
			create := `mutation($in: CreateOwnerInput!) { createOwner(input: $in) { owner { id } } }`
			a.fails(create, map[string]any{"in": map[string]any{"email": "not an email"}}, "BAD_USER_INPUT", "email")
			a.fails(create, map[string]any{"in": map[string]any{"email": "ANN@acme.io"}}, "CONFLICT", "")
			long := fmt.Sprintf("%0101d", 0)
			a.fails(create, map[string]any{"in": map[string]any{"email": "cy@acme.io", "firstName": long}}, "BAD_USER_INPUT", "firstName")
			a.fails(create, map[string]any{"in": map[string]any{"email": "cy@acme.io", "teamIds": []string{gid.Encode(gid.Team, 999)}}}, "NOT_FOUND", "")
			if got := a.ownerEmails(); !equalStrings(got, []string{"ann@acme.io", "bob@acme.io"}) {
				t.Fatalf("owners after refusals: %v", got)
			}
		})

		sales := a.createTeam("Sales", ann.ID)
		support := a.createTeam("Support", ann.ID, bob.ID)
		a.fails(`mutation { createTeam(input: {name: "Sales"}) { team { id } } }`, nil, "CONFLICT", "")

		var got struct{ Node ownerJSON }
		a.ok(`query($id: ID!) { node(id: $id) { ... on Owner { `+ownerFields+` } } }`, map[string]any{"id": ann.ID}, &got)
		if len(got.Node.Teams) != 2 || got.Node.PrimaryTeam == nil || got.Node.PrimaryTeam.Name != "Sales" || got.Node.Teams[0].Name != "Sales" {
			t.Fatalf("ann's teams: %+v", got.Node)
		}

		// Teams replaced, the primary chosen.
		var upd struct{ UpdateOwner struct{ Owner ownerJSON } }
		a.ok(`mutation($id: ID!, $t: [ID!], $p: ID) { updateOwner(input: {id: $id, lastName: "Low", teamIds: $t, primaryTeamId: $p}) { owner { `+ownerFields+` } } }`,
			map[string]any{"id": ann.ID, "t": []string{sales, support}, "p": support}, &upd)
		if o := upd.UpdateOwner.Owner; o.Name != "Ann Low" || o.PrimaryTeam.Name != "Support" || len(o.Teams) != 2 {
			t.Fatalf("updated %+v", o)
		}
		a.fails(`mutation($id: ID!, $t: [ID!], $p: ID) { updateOwner(input: {id: $id, teamIds: $t, primaryTeamId: $p}) { owner { id } } }`,
			map[string]any{"id": ann.ID, "t": []string{sales}, "p": support}, "BAD_USER_INPUT", "primaryTeamId")

		// Deleting the primary team makes the next one primary.
		a.ok(`mutation($id: ID!) { deleteTeam(input: {id: $id}) { deletedId } }`, map[string]any{"id": support}, nil)
		var teams struct {
			Teams []struct {
				Name   string
				Owners []struct{ Email string }
			}
			Node ownerJSON
		}
		a.ok(`query($id: ID!) { teams { name owners { email } } node(id: $id) { ... on Owner { `+ownerFields+` } } }`, map[string]any{"id": ann.ID}, &teams)
		if len(teams.Teams) != 1 || teams.Teams[0].Name != "Sales" || len(teams.Teams[0].Owners) != 1 ||
			teams.Node.PrimaryTeam == nil || teams.Node.PrimaryTeam.Name != "Sales" {
			t.Fatalf("after deleting Support: %+v", teams)
		}

		// A team's owners replaced.
		var ut struct {
			UpdateTeam struct {
				Team struct {
					Name   string
					Owners []struct{ Email string }
				}
			}
		}
		a.ok(`mutation($id: ID!, $o: [ID!]) { updateTeam(input: {id: $id, name: "Field sales", ownerIds: $o}) { team { name owners { email } } } }`,
			map[string]any{"id": sales, "o": []string{bob.ID}}, &ut)
		if ut.UpdateTeam.Team.Name != "Field sales" || len(ut.UpdateTeam.Team.Owners) != 1 || ut.UpdateTeam.Team.Owners[0].Email != "bob@acme.io" {
			t.Fatalf("updated team %+v", ut)
		}
	})
}

// ownerValues reads the contacts' emails and owners matching filter in
// the order of sort.
func ownerValues(t *testing.T, a *api, filter, sort any) []string {
	t.Helper()
	var out struct {
		Records struct {
			Edges []struct {
				Node struct{ Properties map[string]any }
			}
		}
	}
	a.ok(`query($f: RecordFilter, $s: [RecordSort!]) { records(objectType: "contacts", filter: $f, sort: $s) { edges { node { properties(names: ["email", "hubspot_owner_id"]) } } } }`,
		map[string]any{"f": filter, "s": sort}, &out)
	got := []string{}
	for _, e := range out.Records.Edges {
		got = append(got, fmt.Sprintf("%v=%v", e.Node.Properties["email"], e.Node.Properties["hubspot_owner_id"]))
	}
	return got
}

func TestOwnerProperty(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		ann := a.createOwner(map[string]any{"email": "ann@acme.io", "firstName": "Ann"})
		bob := a.createOwner(map[string]any{"email": "bob@acme.io", "firstName": "Bob"})
		// By id, by its digits, by email.
		a.create("contacts", map[string]any{"email": "c1@x.io", "hubspot_owner_id": bob.OwnerID})
		a.create("contacts", map[string]any{"email": "c2@x.io", "hubspot_owner_id": fmt.Sprint(ann.OwnerID)})
		a.create("contacts", map[string]any{"email": "c3@x.io", "hubspot_owner_id": "BOB@acme.io"})
		a.create("contacts", map[string]any{"email": "c4@x.io"})
		a.create("companies", map[string]any{"name": "C", "hubspot_owner_id": ann.OwnerID})
		a.create("notes", map[string]any{"hs_note_body": "n", "hs_timestamp": "2024-01-01T00:00:00Z", "hubspot_owner_id": ann.OwnerID})

		t.Run("validation", func(t *testing.T) {
			before := a.count("contacts")
			create := `mutation($p: JSON!) { createRecord(input: {objectType: "contacts", properties: $p}) { record { id } } }`
			for _, bad := range []any{999999, "nobody@acme.io", true, "12abc"} {
				a.fails(create, map[string]any{"p": map[string]any{"email": "bad@x.io", "hubspot_owner_id": bad}}, "BAD_USER_INPUT", "hubspot_owner_id")
			}
			if a.count("contacts") != before {
				t.Fatal("a refused owner wrote a record")
			}
		})

		t.Run("filter and sort", func(t *testing.T) {
			a1, b1 := fmt.Sprint(ann.OwnerID), fmt.Sprint(bob.OwnerID)
			asc := []any{map[string]any{"property": "hubspot_owner_id"}, map[string]any{"property": "email"}}
			if got := ownerValues(t, a, nil, asc); !equalStrings(got, []string{"c2@x.io=" + a1, "c1@x.io=" + b1, "c3@x.io=" + b1, "c4@x.io=<nil>"}) {
				t.Fatalf("sorted by owner: %v", got)
			}
			eq := map[string]any{"property": "hubspot_owner_id", "operator": "EQ", "value": b1}
			if got := ownerValues(t, a, eq, asc); !equalStrings(got, []string{"c1@x.io=" + b1, "c3@x.io=" + b1}) {
				t.Fatalf("EQ bob: %v", got)
			}
			neq := map[string]any{"property": "hubspot_owner_id", "operator": "NEQ", "value": "bob@acme.io", "includeMissing": true}
			if got := ownerValues(t, a, neq, asc); !equalStrings(got, []string{"c2@x.io=" + a1, "c4@x.io=<nil>"}) {
				t.Fatalf("NEQ bob: %v", got)
			}
			in := map[string]any{"property": "hubspot_owner_id", "operator": "IN", "values": []any{ann.OwnerID, bob.OwnerID}}
			if got := ownerValues(t, a, in, asc); len(got) != 3 {
				t.Fatalf("IN both: %v", got)
			}
			a.fails(`query($f: RecordFilter) { records(objectType: "contacts", filter: $f) { totalCount } }`,
				map[string]any{"f": map[string]any{"property": "hubspot_owner_id", "operator": "GT", "value": 1}}, "BAD_USER_INPUT", "hubspot_owner_id")
			a.fails(`query($f: RecordFilter) { records(objectType: "contacts", filter: $f) { totalCount } }`,
				map[string]any{"f": map[string]any{"property": "hubspot_owner_id", "operator": "EQ", "value": 999999}}, "BAD_USER_INPUT", "hubspot_owner_id")
		})

		t.Run("options are the owners; archiving keeps references", func(t *testing.T) {
			a.ok(`mutation($id: ID!) { archiveOwner(input: {id: $id}) { owner { archived } } }`, map[string]any{"id": bob.ID}, nil)
			var def struct {
				ObjectType struct {
					Property struct {
						Type    string
						Options []struct {
							Label, Value, Description string
							Hidden                    bool
						}
					}
				}
			}
			a.ok(`{ objectType(name: "contacts") { property(name: "hubspot_owner_id") { type options { label value description hidden } } } }`, nil, &def)
			p := def.ObjectType.Property
			if p.Type != "OWNER" || len(p.Options) != 2 || p.Options[0].Label != "Ann" || p.Options[0].Value != fmt.Sprint(ann.OwnerID) ||
				p.Options[1].Description != "bob@acme.io" || !p.Options[1].Hidden || p.Options[0].Hidden {
				t.Fatalf("options %+v", p)
			}
			a.fails(`mutation($p: JSON!) { createRecord(input: {objectType: "contacts", properties: $p}) { record { id } } }`,
				map[string]any{"p": map[string]any{"email": "c5@x.io", "hubspot_owner_id": bob.OwnerID}}, "BAD_USER_INPUT", "hubspot_owner_id")
			eq := map[string]any{"property": "hubspot_owner_id", "operator": "EQ", "value": bob.OwnerID}
			b1 := fmt.Sprint(bob.OwnerID)
			if got := ownerValues(t, a, eq, []any{map[string]any{"property": "email"}}); !equalStrings(got, []string{"c1@x.io=" + b1, "c3@x.io=" + b1}) {
				t.Fatalf("records of an archived owner: %v", got)
			}
			var owners struct{ Owners []ownerJSON }
			a.ok(`{ owners { email } }`, nil, &owners)
			if len(owners.Owners) != 1 || owners.Owners[0].Email != "ann@acme.io" {
				t.Fatalf("live owners: %+v", owners)
			}
		})
	})
}

// ownerKey makes a key of scopes tied to owner (a global id, "" for none)
// and answers the API with it.
func ownerKey(t *testing.T, a *api, owner string, scopes ...string) *api {
	t.Helper()
	var out struct{ CreateApiKey struct{ Secret string } }
	in := map[string]any{"name": "k", "scopes": scopes}
	if owner != "" {
		in["ownerId"] = owner
	}
	a.ok(`mutation($in: CreateApiKeyInput!) { createApiKey(input: $in) { secret } }`, map[string]any{"in": in}, &out)
	return a.withConfig(graph.Config{Auth: graph.AuthRequired}).as(out.CreateApiKey.Secret)
}

func TestKeysTiedToOwners(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		ann := a.createOwner(map[string]any{"email": "ann@acme.io", "firstName": "Ann"})
		bob := a.createOwner(map[string]any{"email": "bob@acme.io", "firstName": "Bob"})
		team := a.createTeam("Sales", ann.ID)
		a.create("contacts", map[string]any{"email": "a@x.io", "hubspot_owner_id": ann.OwnerID})
		a.create("contacts", map[string]any{"email": "b@x.io", "hubspot_owner_id": bob.OwnerID})
		a.create("contacts", map[string]any{"email": "n@x.io"})
		admin := ownerKey(t, a, "", "ADMIN")
		asAnn := ownerKey(t, admin, ann.ID, "ADMIN")
		asBob := ownerKey(t, admin, bob.ID, "RECORDS_READ", "RECORDS_WRITE")

		t.Run("viewer.owner", func(t *testing.T) {
			var v struct {
				Viewer struct {
					Owner  *struct{ Email string }
					ApiKey struct{ Owner *struct{ Email string } }
				}
			}
			asAnn.ok(`{ viewer { owner { email } apiKey { owner { email } } } }`, nil, &v)
			if v.Viewer.Owner == nil || v.Viewer.Owner.Email != "ann@acme.io" || v.Viewer.ApiKey.Owner.Email != "ann@acme.io" {
				t.Fatalf("viewer %+v", v)
			}
			admin.ok(`{ viewer { owner { email } apiKey { owner { email } } } }`, nil, &v)
			if v.Viewer.Owner != nil || v.Viewer.ApiKey.Owner != nil {
				t.Fatalf("a key without owner: %+v", v)
			}
			create := `mutation($in: CreateApiKeyInput!) { createApiKey(input: $in) { secret } }`
			admin.fails(create, map[string]any{"in": map[string]any{"name": "x", "scopes": []string{"ADMIN"}, "ownerId": gid.Encode(gid.Owner, 999999)}}, "NOT_FOUND", "")
			keys, err := auth.New(a.d).List(context.Background(), a.ws)
			if err != nil || len(keys) != 3 {
				t.Fatalf("keys after a refused one: %d, %v", len(keys), err)
			}
		})

		t.Run("my filters", func(t *testing.T) {
			me := map[string]any{"property": "hubspot_owner_id", "operator": "EQ", "me": true}
			if got := ownerValues(t, asAnn, me, nil); !equalStrings(got, []string{fmt.Sprintf("a@x.io=%d", ann.OwnerID)}) {
				t.Fatalf("ann's: %v", got)
			}
			if got := ownerValues(t, asBob, me, nil); !equalStrings(got, []string{fmt.Sprintf("b@x.io=%d", bob.OwnerID)}) {
				t.Fatalf("bob's: %v", got)
			}
			notMe := map[string]any{"property": "hubspot_owner_id", "operator": "NEQ", "me": true, "includeMissing": true}
			if got := ownerValues(t, asAnn, notMe, []any{map[string]any{"property": "email"}}); len(got) != 2 {
				t.Fatalf("not ann's: %v", got)
			}
			e := admin.fails(`query($f: RecordFilter) { records(objectType: "contacts", filter: $f) { totalCount } }`, map[string]any{"f": me}, "BAD_USER_INPUT", "hubspot_owner_id")
			if e.Extensions["argumentPath"] != "filter.me" {
				t.Fatalf("me without an owner: %+v", e)
			}
			asAnn.fails(`query($f: RecordFilter) { records(objectType: "contacts", filter: $f) { totalCount } }`,
				map[string]any{"f": map[string]any{"property": "email", "operator": "EQ", "me": true}}, "BAD_USER_INPUT", "email")

			// A shared view keeps me: each reader sees their own.
			var v struct {
				CreateView struct{ View struct{ ID string } }
			}
			admin.ok(createViewMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "My contacts", "filter": me}}, &v)
			for who, want := range map[*api]string{asAnn: "a@x.io", asBob: "b@x.io"} {
				if got := viewEmails(t, who, v.CreateView.View.ID, nil); !equalStrings(got, []string{want}) {
					t.Fatalf("through My contacts: %v, want %s", got, want)
				}
			}

			// A list's me is its maker, whoever writes later.
			var l struct {
				CreateList struct{ List struct{ ID string } }
			}
			asAnn.ok(`mutation($f: RecordFilter) { createList(input: {objectType: "contacts", name: "Ann's", kind: DYNAMIC, filter: $f}) { list { id } } }`,
				map[string]any{"f": me}, &l)
			asBob.create("contacts", map[string]any{"email": "a2@x.io", "hubspot_owner_id": ann.OwnerID})
			var size struct{ List struct{ Size int } }
			asBob.ok(`query($id: ID!) { list(id: $id) { size } }`, map[string]any{"id": l.CreateList.List.ID}, &size)
			if size.List.Size != 2 {
				t.Fatalf("ann's list holds %d", size.List.Size)
			}
		})

		t.Run("private views", func(t *testing.T) {
			var v struct{ CreateView struct{ View viewJSON } }
			asAnn.ok(createViewMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "Mine", "visibility": "PRIVATE"}}, &v)
			id := v.CreateView.View.ID
			if got := viewEmails(t, asAnn, id, nil); len(got) != 4 {
				t.Fatalf("ann reads her view: %v", got)
			}
			listed := func(b *api) int {
				var out struct{ Views []viewJSON }
				b.ok(`{ views(objectType: "contacts") { id } }`, nil, &out)
				return len(out.Views)
			}
			if listed(asAnn) != 2 || listed(asBob) != 1 || listed(admin) != 1 {
				t.Fatalf("views listed: ann %d, bob %d, admin %d", listed(asAnn), listed(asBob), listed(admin))
			}
			for _, b := range []*api{asBob, admin} {
				b.fails(`query($v: ID) { records(objectType: "contacts", view: $v) { totalCount } }`, map[string]any{"v": id}, "NOT_FOUND", "")
				var n struct{ Node *struct{ ID string } }
				b.ok(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}, &n)
				if n.Node != nil {
					t.Fatal("another owner's private view is a node")
				}
			}
			admin.fails(`mutation($id: ID!) { deleteView(input: {id: $id}) { deletedId } }`, map[string]any{"id": id}, "NOT_FOUND", "")
			admin.fails(createViewMutation, map[string]any{"in": map[string]any{"objectType": "contacts", "name": "Nobody's", "visibility": "PRIVATE"}}, "BAD_USER_INPUT", "")
		})

		t.Run("team layouts", func(t *testing.T) {
			set := `mutation($in: SetRecordLayoutInput!) { setRecordLayout(input: $in) { objectType { name } } }`
			section := []any{map[string]any{"title": "Sales view", "properties": []string{"email", "hubspot_owner_id"}}}
			admin.ok(set, map[string]any{"in": map[string]any{"objectType": "contacts", "teamId": team, "card": section, "sidebar": []any{}, "preview": []any{}}}, nil)
			admin.fails(set, map[string]any{"in": map[string]any{"objectType": "contacts", "teamId": gid.Encode(gid.Team, 999999), "card": section, "sidebar": []any{}, "preview": []any{}}}, "NOT_FOUND", "")
			title := func(b *api, vars map[string]any) string {
				var out struct {
					ObjectType struct {
						Layout struct{ Card []struct{ Title string } }
					}
				}
				b.ok(`query($t: ID) { objectType(name: "contacts") { layout(teamId: $t) { card { title } } } }`, vars, &out)
				return out.ObjectType.Layout.Card[0].Title
			}
			if got := title(asAnn, nil); got != "Sales view" {
				t.Fatalf("ann (Sales) reads %q", got)
			}
			if got := title(asBob, nil); got != "About this contact" {
				t.Fatalf("bob (no team) reads %q", got)
			}
			if got := title(admin, map[string]any{"t": team}); got != "Sales view" {
				t.Fatalf("Sales' layout by teamId: %q", got)
			}
		})
	})
}

func TestOwnersOfAnotherWorkspace(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		one, two := twoWorkspaces(t, a)
		theirs := one.api.createOwner(map[string]any{"email": "ann@acme.io"})
		team := one.api.createTeam("Sales", theirs.ID)
		mine := two.api.createOwner(map[string]any{"email": "ann@acme.io"})
		if mine.OwnerID == theirs.OwnerID {
			t.Fatal("two owners share an id")
		}
		b := two.api
		var n struct{ Nodes []*struct{ ID string } }
		b.ok(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []string{theirs.ID, team}}, &n)
		if n.Nodes[0] != nil || n.Nodes[1] != nil {
			t.Fatalf("another workspace's owner and team: %+v", n)
		}
		b.fails(`mutation($id: ID!) { updateOwner(input: {id: $id, firstName: "Eve"}) { owner { id } } }`, map[string]any{"id": theirs.ID}, "NOT_FOUND", "")
		b.fails(`mutation($id: ID!) { archiveOwner(input: {id: $id}) { owner { id } } }`, map[string]any{"id": theirs.ID}, "NOT_FOUND", "")
		b.fails(`mutation($id: ID!) { deleteTeam(input: {id: $id}) { deletedId } }`, map[string]any{"id": team}, "NOT_FOUND", "")
		b.fails(`mutation($o: ID!) { createTeam(input: {name: "T", ownerIds: [$o]}) { team { id } } }`, map[string]any{"o": theirs.ID}, "NOT_FOUND", "")
		b.fails(`mutation($p: JSON!) { createRecord(input: {objectType: "contacts", properties: $p}) { record { id } } }`,
			map[string]any{"p": map[string]any{"email": "x@x.io", "hubspot_owner_id": theirs.OwnerID}}, "BAD_USER_INPUT", "hubspot_owner_id")
		if got := b.ownerEmails(); len(got) != 1 {
			t.Fatalf("owners seen: %v", got)
		}
		var teams struct{ Teams []struct{ Name string } }
		b.ok(`{ teams { name } }`, nil, &teams)
		if len(teams.Teams) != 0 {
			t.Fatalf("teams seen: %+v", teams)
		}
	})
}

// TestImportOwnersByEmail: a "Contact owner" column of owner emails, as
// HubSpot exports it, assigns the owners; an unknown one fails its row.
func TestImportOwnersByEmail(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		ann := a.createOwner(map[string]any{"email": "ann@acme.io"})
		job := a.importFiles(nil, upload{name: "contacts.csv", content: []byte("Email,Contact owner\nc1@x.io,ANN@acme.io\nc2@x.io,nobody@acme.io\n")})
		if job.Counters.Created != 1 || job.Counters.Failed != 1 || len(job.Errors.Edges) != 1 || deref(job.Errors.Edges[0].Node.Property) != "hubspot_owner_id" {
			t.Fatalf("import: %+v %+v", job.Counters, job.Errors.Edges)
		}
		if p := a.recordBy("contacts", "email", "c1@x.io").Properties; fmt.Sprint(p["hubspot_owner_id"]) != fmt.Sprint(ann.OwnerID) {
			t.Fatalf("c1: %v", p)
		}
	})
}
