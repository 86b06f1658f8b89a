package graph_test

// Full-text search: records(objectType, query) over an object type's
// searchable properties, ranked by relevance without a sort, on both
// databases. Each test asserts what a client sees: which records, in
// which order, with which totalCount, through pages and after writes.

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

const searchRecords = `query($t: String!, $q: String, $sort: [RecordSort!], $filter: RecordFilter, $archived: Boolean,
	$first: Int, $after: String, $last: Int, $before: String) {
	records(objectType: $t, query: $q, sort: $sort, filter: $filter, archived: $archived,
		first: $first, after: $after, last: $last, before: $before) {
		totalCount
		edges { cursor node { id displayName } }
		pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
	}
}`

type searchPage struct {
	Records struct {
		TotalCount int
		Edges      []struct {
			Cursor string
			Node   struct {
				ID          string
				DisplayName string
			}
		}
		PageInfo struct {
			HasNextPage, HasPreviousPage bool
			StartCursor, EndCursor       *string
		}
	}
}

// search reads one page of records of objectType matching query (more
// arguments in vars) and returns it.
func (a *api) search(objectType, query string, vars map[string]any) searchPage {
	a.t.Helper()
	v := map[string]any{"t": objectType, "q": query}
	for k, x := range vars {
		v[k] = x
	}
	var out searchPage
	a.ok(searchRecords, v, &out)
	return out
}

// names lists the display names of the page's records, in order.
func (p searchPage) names() []string {
	out := make([]string, len(p.Records.Edges))
	for i, e := range p.Records.Edges {
		out[i] = e.Node.DisplayName
	}
	return out
}

// found checks the records a query finds, by display name and in order,
// and its totalCount.
func (a *api) found(objectType, query string, want ...string) {
	a.t.Helper()
	p := a.search(objectType, query, nil)
	if got := p.names(); !slices.Equal(got, want) || p.Records.TotalCount != len(want) {
		a.t.Fatalf("query %q found %q (totalCount %d), want %q", query, got, p.Records.TotalCount, want)
	}
}

// documents makes an object type whose title, pages and tags are
// searchable, and its summary not yet.
func (a *api) documents() {
	a.t.Helper()
	a.createObjectType(map[string]any{"name": "documents", "singularLabel": "Document", "pluralLabel": "Documents",
		"properties": []map[string]any{
			{"name": "title", "label": "Title", "type": "STRING", "fieldType": "TEXT"},
			{"name": "summary", "label": "Summary", "type": "STRING", "fieldType": "TEXTAREA"},
			{"name": "pages", "label": "Pages", "type": "NUMBER", "fieldType": "NUMBER"},
			{"name": "tags", "label": "Tags", "type": "ENUMERATION", "fieldType": "CHECKBOX", "options": optionsInput("draft", "final")},
		},
		"primaryDisplayProperty": "title", "searchableProperties": []string{"title", "pages", "tags"}})
}

func TestSearchRanksByRelevance(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.documents()
		for _, title := range []string{"Apollonia", "Apollo program moon", "Gemini program", "Apollonia Apollodorus", "Apollo"} {
			a.create("documents", map[string]any{"title": title})
		}
		// Records holding the word whole come first, the shorter first;
		// then those where it only begins words, more of them first.
		a.found("documents", "apollo", "Apollo", "Apollo program moon", "Apollonia Apollodorus", "Apollonia")
		a.found("documents", "APOLLO ", "Apollo", "Apollo program moon")
		a.found("documents", "program", "Gemini program", "Apollo program moon")
	})
}

func TestSearchPrefixMatchesTheLastWordOnly(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.documents()
		for _, title := range []string{"Apollo program moon", "Programme of José", "Apollo", "Soyuz 19 docking"} {
			a.create("documents", map[string]any{"title": title})
		}
		// As people type: the last word begins words, the others are whole.
		a.found("documents", "apollo prog", "Apollo program moon")
		a.found("documents", "moon apol", "Apollo program moon")
		a.found("documents", "prog apollo")
		a.found("documents", "apollo prog ")
		a.found("documents", "progr", "Apollo program moon", "Programme of José")
		// Words are letters and digits, without case or punctuation.
		a.found("documents", "JOSÉ, program", "Programme of José")
		a.found("documents", "jos", "Programme of José")
		a.found("documents", "soyuz-1", "Soyuz 19 docking")
		a.found("documents", "moon apollo-", "Apollo program moon")
	})
}

func TestSearchFollowsSearchableProperties(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.documents()
		a.create("documents", map[string]any{"title": "Voyager", "summary": "Golden record of Earth", "pages": 40, "tags": []string{"draft"}})
		a.create("documents", map[string]any{"title": "Golden Gate", "summary": "A bridge", "pages": 12, "tags": []string{"final"}})
		a.found("documents", "golden", "Golden Gate")
		a.found("documents", "40", "Voyager")
		a.found("documents", "draft", "Voyager")

		// The summary becomes searchable, the pages not: the very next
		// request reads the new properties.
		a.updateObjectType(map[string]any{"name": "documents", "searchableProperties": []string{"title", "summary", "tags"}})
		a.found("documents", "golden", "Golden Gate", "Voyager")
		a.found("documents", "earth", "Voyager")
		a.found("documents", "40")

		// An archived property is not searched while it is archived.
		a.ok(archivePropertyMutation, propertyRef("documents", "summary"), nil)
		a.found("documents", "earth")
		a.found("documents", "golden", "Golden Gate")
		a.ok(restorePropertyMutation, propertyRef("documents", "summary"), nil)
		a.found("documents", "earth", "Voyager")

		// Values a definition change rewrites are searched as rewritten.
		a.updateProperty(map[string]any{"objectType": "documents", "name": "tags", "options": optionsInput("final"), "clearRemovedOptions": true})
		a.found("documents", "draft")
		a.found("documents", "final", "Golden Gate")

		// Back to the title alone.
		a.updateObjectType(map[string]any{"name": "documents", "searchableProperties": []string{"title"}})
		a.found("documents", "bridge")
		a.found("documents", "voyager", "Voyager")
	})
}

func TestSearchReadsItsWrites(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		ada := a.create("contacts", map[string]any{"email": "ada@analytical.example", "firstname": "Ada", "lastname": "Lovelace"})
		grace := a.create("contacts", map[string]any{"email": "grace@navy.example", "firstname": "Grace", "lastname": "Hopper", "phone": "+1 (555) 010-2030"})
		a.found("contacts", "lovelace", "Ada Lovelace")
		a.found("contacts", "analytical example", "Ada Lovelace")
		a.found("contacts", "555 010 20", "Grace Hopper")

		t.Run("update", func(t *testing.T) {
			a := a.with(t)
			a.updateRecord(ada, map[string]any{"lastname": "Byron"})
			a.found("contacts", "lovelace")
			a.found("contacts", "byr", "Ada Byron")
			a.ok(`mutation($in: [UpdateRecordInput!]!) { updateRecords(input: {inputs: $in}) { written } }`,
				map[string]any{"in": []map[string]any{{"id": ada.ID, "properties": map[string]any{"lastname": "King"}}}}, nil)
			a.found("contacts", "byron")
			a.found("contacts", "king", "Ada King")
			a.ok(`mutation { upsertRecords(input: {objectType: "contacts", inputs: [{properties: {email: "ada@analytical.example", lastname: "Lovelace"}}]}) { written } }`, nil, nil)
			a.found("contacts", "king")
			a.found("contacts", "ada love", "Ada Lovelace")
		})
		t.Run("archive and restore", func(t *testing.T) {
			a := a.with(t)
			a.archiveRecord(grace)
			a.found("contacts", "hopper")
			if p := a.search("contacts", "hopper", map[string]any{"archived": true}); !slices.Equal(p.names(), []string{"Grace Hopper"}) {
				t.Fatalf("the recycle bin searched for hopper: %q", p.names())
			}
			a.ok(`mutation($id: ID!) { restoreRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": grace.ID}, nil)
			a.found("contacts", "hopper", "Grace Hopper")
		})
		t.Run("merge", func(t *testing.T) {
			a := a.with(t)
			brief := a.create("contacts", map[string]any{"email": "amazing.grace@navy.example", "firstname": "Amazing", "jobtitle": "Rear admiral", "company": "COBOL committee"})
			a.found("contacts", "cobol", "Amazing")
			// The primary takes the values it lacks: the secondary's company.
			a.ok(mergeMutation, map[string]any{"p": grace.ID, "s": brief.ID}, nil)
			a.found("contacts", "cobol", "Grace Hopper")
			a.found("contacts", "amazing")
		})
		t.Run("erase", func(t *testing.T) {
			a := a.with(t)
			a.ok(`mutation($id: ID!) { deleteRecordPermanently(input: {id: $id}) { deletedId } }`, map[string]any{"id": ada.ID}, nil)
			a.found("contacts", "lovelace")
			a.found("contacts", "example", "Grace Hopper")
		})
	})
}

func TestSearchPagesByRank(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.documents()
		// Heavy ties: the same titles many times over, ranked alike.
		titles := []string{"Orbit", "Orbit report", "Orbital", "Orbital mechanics notes", "Orbit of Mars", "Orbiter", "Moon"}
		for i := 0; i < 24; i++ {
			a.create("documents", map[string]any{"title": titles[i%len(titles)], "pages": i})
		}
		whole := a.search("documents", "orbit", map[string]any{"first": 100})
		want := whole.ids()
		if len(want) != 21 || whole.Records.TotalCount != 21 {
			t.Fatalf("one page: %d records, totalCount %d, want 21", len(want), whole.Records.TotalCount)
		}
		// Whole word first, fewer words first; then "orbit" beginning a
		// word; ties by id, in which Orbital and Orbiter alternate.
		order := slices.Concat(slices.Repeat([]string{"Orbit"}, 4), slices.Repeat([]string{"Orbit report"}, 4),
			slices.Repeat([]string{"Orbit of Mars"}, 3), slices.Repeat([]string{"Orbital", "Orbiter"}, 3), []string{"Orbital"},
			slices.Repeat([]string{"Orbital mechanics notes"}, 3))
		if got := whole.names(); !slices.Equal(got, order) {
			t.Fatalf("order %q, want %q", got, order)
		}
		for _, size := range []int{1, 3, 7} {
			var forward []string
			var after any
			for {
				p := a.search("documents", "orbit", map[string]any{"first": size, "after": after})
				forward = append(forward, p.ids()...)
				if p.Records.TotalCount != 21 || (after != nil) != p.Records.PageInfo.HasPreviousPage {
					t.Fatalf("forward page after %v: totalCount %d, pageInfo %+v", after, p.Records.TotalCount, p.Records.PageInfo)
				}
				if !p.Records.PageInfo.HasNextPage {
					break
				}
				after = *p.Records.PageInfo.EndCursor
			}
			var backward []string
			var before any
			for {
				p := a.search("documents", "orbit", map[string]any{"last": size, "before": before})
				backward = append(p.ids(), backward...)
				if !p.Records.PageInfo.HasPreviousPage {
					break
				}
				before = *p.Records.PageInfo.StartCursor
			}
			if !slices.Equal(forward, want) || !slices.Equal(backward, want) {
				t.Fatalf("pages of %d: forward %v, backward %v, want %v", size, forward, backward, want)
			}
		}

		t.Run("a ranked cursor is refused by another order", func(t *testing.T) {
			a := a.with(t)
			cursor := whole.Records.Edges[3].Cursor
			a.fails(searchRecords, map[string]any{"t": "documents", "after": cursor}, "BAD_USER_INPUT", "")
			a.fails(searchRecords, map[string]any{"t": "documents", "q": "orbit", "sort": []map[string]any{{"property": "title"}}, "after": cursor}, "BAD_USER_INPUT", "")
		})
	})
}

// ids lists the ids of the page's records, in order.
func (p searchPage) ids() []string {
	out := make([]string, len(p.Records.Edges))
	for i, e := range p.Records.Edges {
		out[i] = e.Node.ID
	}
	return out
}

func TestSearchWithSortAndFilter(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.documents()
		for i, title := range []string{"Mercury Seven", "Mercury", "Gemini Mercury", "Apollo"} {
			a.create("documents", map[string]any{"title": title, "pages": 10 * (i + 1)})
		}
		// With a sort, the query only filters.
		p := a.search("documents", "mercury", map[string]any{"sort": []map[string]any{{"property": "title", "direction": "DESC"}}})
		if got := p.names(); !slices.Equal(got, []string{"Mercury Seven", "Mercury", "Gemini Mercury"}) || p.Records.TotalCount != 3 {
			t.Fatalf("sorted by title: %q, totalCount %d", got, p.Records.TotalCount)
		}
		filter := map[string]any{"property": "pages", "operator": "GTE", "value": 20}
		p = a.search("documents", "merc", map[string]any{"filter": filter})
		if got := p.names(); !slices.Equal(got, []string{"Mercury", "Gemini Mercury"}) || p.Records.TotalCount != 2 {
			t.Fatalf("filtered: %q, totalCount %d", got, p.Records.TotalCount)
		}
		// A query without words is no query: every record, newest first.
		p = a.search("documents", " -- ,;* ", nil)
		if got := p.names(); !slices.Equal(got, []string{"Apollo", "Gemini Mercury", "Mercury", "Mercury Seven"}) || p.Records.TotalCount != 4 {
			t.Fatalf("blank query: %q, totalCount %d", got, p.Records.TotalCount)
		}
		// Operators of either database's query syntax are words like any.
		for _, q := range []string{`mercury" OR "apollo`, `mercury | apollo:*`, `'); DROP TABLE records; --`, `NEAR(mercury apollo)`, `mercury\`} {
			a.search("documents", q, nil)
		}
		a.found("documents", "apollo", "Apollo")
	})
}

func TestSearchTextRefusals(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.documents()
		a.create("documents", map[string]any{"title": "Skylab"})
		long := strings.Repeat("skylab ", 143)[:1000]
		a.found("documents", long, "Skylab")
		for name, tc := range map[string]struct {
			vars       map[string]any
			code, path string
		}{
			"over 1000 characters":              {map[string]any{"q": long + "s"}, "BAD_USER_INPUT", "query"},
			"over 1000 characters, not bytes":   {map[string]any{"q": strings.Repeat("é", 1001)}, "BAD_USER_INPUT", "query"},
			"beside asOf":                       {map[string]any{"q": "skylab", "asOf": "2020-01-01T00:00:00Z"}, "BAD_USER_INPUT", ""},
			"of an object type that is no type": {map[string]any{"q": "skylab", "t": "nope"}, "NOT_FOUND", ""},
		} {
			t.Run(name, func(t *testing.T) {
				a := a.with(t)
				vars := map[string]any{"t": "documents"}
				for k, v := range tc.vars {
					vars[k] = v
				}
				e := a.fails(`query($t: String!, $q: String, $asOf: DateTime) { records(objectType: $t, query: $q, asOf: $asOf) { totalCount } }`,
					vars, tc.code, "")
				if got, _ := e.Extensions["argumentPath"].(string); got != tc.path {
					t.Fatalf("argumentPath %q, want %q: %s", got, tc.path, e.Message)
				}
			})
		}
		a.found("documents", strings.Repeat("é", 1000))
		// As many words as 1000 characters hold, every one of them sought.
		var many []string
		for i := 0; len(strings.Join(many, " ")) < 985; i++ {
			many = append(many, "w"+strconv.Itoa(i))
		}
		a.found("documents", strings.Join(many, " "))
		a.found("documents", "skylab "+strings.Join(many, " "))
	})
}

func TestSearchTextMadeAtStart(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		// A record written past the server (a bulk load) has no search text.
		if err := a.insertRaw("contacts", map[string]any{"firstname": "Katherine", "lastname": "Johnson"}); err != nil {
			t.Fatal(err)
		}
		a.found("contacts", "johnson")
		// A server starting over the database makes it.
		newAPI(t, a.d, nil).found("contacts", "johnson", "Katherine Johnson")
	})
}
