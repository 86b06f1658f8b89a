package graph_test

// Tests of runtime property management (issue rules 1-5 and 8): property
// definitions on every object type, enumeration options, unique values,
// type changes, property groups, and definition changes seen by a second
// server process over the same database. Each rule asserts the answer's
// code, the definitions afterwards and the values stored afterwards.

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/acme/crm/graph"
)

// ---------------------------------------------------------------------------
// Helpers shared by properties_test.go, objecttypes_custom_test.go and
// pipelines_test.go.

const optionFields = `label value description displayOrder hidden`

const propertyFields = `id name label type fieldType description groupName displayOrder hasUniqueValue hidden
	readOnlyValue readOnlyDefinition archived options { ` + optionFields + ` }`

const stageFields = `id key label displayOrder probability ticketState closed archived`

const pipelineFields = `id key label displayOrder archived stages { ` + stageFields + ` }
	allStages: stages(includeArchived: true) { ` + stageFields + ` }`

// objectTypeFields reads every definition of an object type: the live
// lists the API shows by default, and with includeArchived the whole lists.
const objectTypeFields = `id name singularLabel pluralLabel kind primaryDisplayProperty secondaryDisplayProperties
	requiredProperties searchableProperties
	properties { ` + propertyFields + ` }
	allProperties: properties(includeArchived: true) { ` + propertyFields + ` }
	propertyGroups { id name label displayOrder }
	pipelines { ` + pipelineFields + ` }
	allPipelines: pipelines(includeArchived: true) { ` + pipelineFields + ` }`

type optionJSON struct {
	Label        string  `json:"label"`
	Value        string  `json:"value"`
	Description  *string `json:"description"`
	DisplayOrder int     `json:"displayOrder"`
	Hidden       bool    `json:"hidden"`
}

type propertyJSON struct {
	ID                 string       `json:"id"`
	Name               string       `json:"name"`
	Label              string       `json:"label"`
	Type               string       `json:"type"`
	FieldType          string       `json:"fieldType"`
	Description        string       `json:"description"`
	GroupName          *string      `json:"groupName"`
	DisplayOrder       int          `json:"displayOrder"`
	HasUniqueValue     bool         `json:"hasUniqueValue"`
	Hidden             bool         `json:"hidden"`
	ReadOnlyValue      bool         `json:"readOnlyValue"`
	ReadOnlyDefinition bool         `json:"readOnlyDefinition"`
	Archived           bool         `json:"archived"`
	Options            []optionJSON `json:"options"`
}

func (p propertyJSON) group() string {
	if p.GroupName == nil {
		return ""
	}
	return *p.GroupName
}

// optionValues lists the option values in the order the API gives them.
func (p propertyJSON) optionValues() []string {
	out := make([]string, len(p.Options))
	for i, o := range p.Options {
		out[i] = o.Value
	}
	return out
}

func (p propertyJSON) option(value string) *optionJSON {
	for i := range p.Options {
		if p.Options[i].Value == value {
			return &p.Options[i]
		}
	}
	return nil
}

type groupJSON struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Label        string `json:"label"`
	DisplayOrder int    `json:"displayOrder"`
}

type stageJSON struct {
	ID           string   `json:"id"`
	Key          string   `json:"key"`
	Label        string   `json:"label"`
	DisplayOrder int      `json:"displayOrder"`
	Probability  *float64 `json:"probability"`
	TicketState  *string  `json:"ticketState"`
	Closed       bool     `json:"closed"`
	Archived     bool     `json:"archived"`
}

type pipelineJSON struct {
	ID           string      `json:"id"`
	Key          string      `json:"key"`
	Label        string      `json:"label"`
	DisplayOrder int         `json:"displayOrder"`
	Archived     bool        `json:"archived"`
	Stages       []stageJSON `json:"stages"`
	AllStages    []stageJSON `json:"allStages"`
}

func (p pipelineJSON) stageKeys() []string {
	out := make([]string, len(p.Stages))
	for i, s := range p.Stages {
		out[i] = s.Key
	}
	return out
}

func (p pipelineJSON) stage(key string) *stageJSON {
	for i := range p.AllStages {
		if p.AllStages[i].Key == key {
			return &p.AllStages[i]
		}
	}
	return nil
}

type objectTypeJSON struct {
	ID                         string         `json:"id"`
	Name                       string         `json:"name"`
	SingularLabel              string         `json:"singularLabel"`
	PluralLabel                string         `json:"pluralLabel"`
	Kind                       string         `json:"kind"`
	PrimaryDisplayProperty     *string        `json:"primaryDisplayProperty"`
	SecondaryDisplayProperties []string       `json:"secondaryDisplayProperties"`
	RequiredProperties         []string       `json:"requiredProperties"`
	SearchableProperties       []string       `json:"searchableProperties"`
	Properties                 []propertyJSON `json:"properties"`
	AllProperties              []propertyJSON `json:"allProperties"`
	PropertyGroups             []groupJSON    `json:"propertyGroups"`
	Pipelines                  []pipelineJSON `json:"pipelines"`
	AllPipelines               []pipelineJSON `json:"allPipelines"`
}

// prop returns the definition called name among live ones, or nil.
func (o *objectTypeJSON) prop(name string) *propertyJSON {
	for i := range o.Properties {
		if o.Properties[i].Name == name {
			return &o.Properties[i]
		}
	}
	return nil
}

// anyProp returns the definition called name, archived or not, or nil.
func (o *objectTypeJSON) anyProp(name string) *propertyJSON {
	for i := range o.AllProperties {
		if o.AllProperties[i].Name == name {
			return &o.AllProperties[i]
		}
	}
	return nil
}

func (o *objectTypeJSON) groupNames() []string {
	out := make([]string, len(o.PropertyGroups))
	for i, g := range o.PropertyGroups {
		out[i] = g.Name
	}
	return out
}

func (o *objectTypeJSON) pipeline(key string) *pipelineJSON {
	for i := range o.AllPipelines {
		if o.AllPipelines[i].Key == key {
			return &o.AllPipelines[i]
		}
	}
	return nil
}

func (o *objectTypeJSON) pipelineKeys() []string {
	out := make([]string, len(o.Pipelines))
	for i, p := range o.Pipelines {
		out[i] = p.Key
	}
	return out
}

// with returns the API reporting to t, so that a failure inside a subtest
// fails that subtest.
func (a *api) with(t *testing.T) *api {
	c := *a
	c.t = t
	return &c
}

// secondServer is another server process over the same database: its own
// handler, hence its own definitions cache.
func (a *api) secondServer() *api {
	c := *a
	c.h = graph.NewHandler(graph.Config{DB: a.d, WorkspaceID: a.ws, NoReadPlans: plansOff})
	c.counter = nil
	return &c
}

// objectType reads every definition of an object type through the API;
// nil when there is no live object type of that name.
func (a *api) objectType(name string) *objectTypeJSON {
	a.t.Helper()
	var out struct {
		ObjectType *objectTypeJSON `json:"objectType"`
	}
	a.ok(`query($t: String!) { objectType(name: $t) { `+objectTypeFields+` } }`, map[string]any{"t": name}, &out)
	return out.ObjectType
}

// mustObjectType is objectType for a type that must exist.
func (a *api) mustObjectType(name string) *objectTypeJSON {
	a.t.Helper()
	ot := a.objectType(name)
	if ot == nil {
		a.t.Fatalf("no object type %q", name)
	}
	return ot
}

// property reads one definition, archived or not, through
// objectType{property(name)}; nil when there is none.
func (a *api) property(objectType, name string) *propertyJSON {
	a.t.Helper()
	var out struct {
		ObjectType *struct {
			Property *propertyJSON `json:"property"`
		} `json:"objectType"`
	}
	a.ok(`query($t: String!, $n: String!) { objectType(name: $t) { property(name: $n) { `+propertyFields+` } } }`,
		map[string]any{"t": objectType, "n": name}, &out)
	if out.ObjectType == nil {
		a.t.Fatalf("no object type %q", objectType)
	}
	return out.ObjectType.Property
}

func (a *api) mustProperty(objectType, name string) propertyJSON {
	a.t.Helper()
	p := a.property(objectType, name)
	if p == nil {
		a.t.Fatalf("%s has no property %q", objectType, name)
	}
	return *p
}

const createPropertyMutation = `mutation($t: String!, $p: PropertyDefinitionInput!) {
	createProperty(input: {objectType: $t, property: $p}) { property { ` + propertyFields + ` } } }`

// createProperty defines a property and returns the definition answered.
func (a *api) createProperty(objectType string, def map[string]any) propertyJSON {
	a.t.Helper()
	var out struct {
		CreateProperty struct{ Property propertyJSON } `json:"createProperty"`
	}
	a.ok(createPropertyMutation, map[string]any{"t": objectType, "p": def}, &out)
	return out.CreateProperty.Property
}

const updatePropertyMutation = `mutation($in: UpdatePropertyInput!) {
	updateProperty(input: $in) { clearedValues convertedValues property { ` + propertyFields + ` } } }`

type updatePropertyJSON struct {
	ClearedValues   int          `json:"clearedValues"`
	ConvertedValues int          `json:"convertedValues"`
	Property        propertyJSON `json:"property"`
}

func (a *api) updateProperty(in map[string]any) updatePropertyJSON {
	a.t.Helper()
	var out struct {
		UpdateProperty updatePropertyJSON `json:"updateProperty"`
	}
	a.ok(updatePropertyMutation, map[string]any{"in": in}, &out)
	return out.UpdateProperty
}

const (
	archivePropertyMutation = `mutation($t: String!, $n: String!) { archiveProperty(input: {objectType: $t, name: $n}) { property { ` + propertyFields + ` } } }`
	restorePropertyMutation = `mutation($t: String!, $n: String!) { restoreProperty(input: {objectType: $t, name: $n}) { property { ` + propertyFields + ` } } }`
	deletePropertyMutation  = `mutation($t: String!, $n: String!) { deleteProperty(input: {objectType: $t, name: $n}) { removedValues objectType { name } } }`
)

func propertyRef(objectType, name string) map[string]any {
	return map[string]any{"t": objectType, "n": name}
}

// inVars wraps an input object as the $in variable.
func inVars(in map[string]any) map[string]any { return map[string]any{"in": in} }

// options builds the options input of an enumeration from value:label pairs.
func optionsInput(pairs ...string) []map[string]any {
	out := make([]map[string]any, len(pairs))
	for i, pair := range pairs {
		value, label, _ := strings.Cut(pair, ":")
		if label == "" {
			label = strings.ToUpper(value[:1]) + value[1:]
		}
		out[i] = map[string]any{"value": value, "label": label, "displayOrder": i}
	}
	return out
}

// asOptionsInput sends options back as they were read.
func asOptionsInput(opts []optionJSON) []map[string]any {
	out := make([]map[string]any, len(opts))
	for i, o := range opts {
		out[i] = map[string]any{"value": o.Value, "label": o.Label, "description": o.Description,
			"displayOrder": o.DisplayOrder, "hidden": o.Hidden}
	}
	return out
}

// read returns a record as the API shows it.
func (a *api) read(r recordJSON) recordJSON {
	a.t.Helper()
	var got getRecordJSON
	a.ok(getRecord, map[string]any{"id": r.ID}, &got)
	if got.Record == nil {
		a.t.Fatalf("record %s is gone", r.ID)
	}
	return *got.Record
}

const updateRecordMutation = `mutation($id: ID!, $p: JSON!) { updateRecord(input: {id: $id, properties: $p}) { record { ` + recordFields + ` } } }`

func (a *api) updateRecord(r recordJSON, props map[string]any) recordJSON {
	a.t.Helper()
	var out struct {
		UpdateRecord struct{ Record recordJSON } `json:"updateRecord"`
	}
	a.ok(updateRecordMutation, map[string]any{"id": r.ID, "p": props}, &out)
	return out.UpdateRecord.Record
}

func (a *api) archiveRecord(r recordJSON) {
	a.t.Helper()
	a.ok(`mutation($id: ID!) { archiveRecord(input: {id: $id}) { record { id } } }`, map[string]any{"id": r.ID}, nil)
}

// stored reads a record's values straight from the records table.
func (a *api) stored(r recordJSON) map[string]any {
	a.t.Helper()
	var raw []byte
	err := a.d.SQL.QueryRow(a.d.Dialect.Rebind("SELECT properties FROM records WHERE id = ?"), mustAtoi(a.t, r.RecordID)).Scan(&raw)
	if err != nil {
		a.t.Fatalf("read record %s: %v", r.RecordID, err)
	}
	var props map[string]any
	if err := json.Unmarshal(raw, &props); err != nil {
		a.t.Fatalf("record %s holds %s: %v", r.RecordID, raw, err)
	}
	return props
}

// snapshot is every record of an object type exactly as stored: its
// values, update time and archive time, by id.
func (a *api) snapshot(objectType string) map[int]string {
	a.t.Helper()
	rows, err := a.d.SQL.Query(a.d.Dialect.Rebind(`SELECT r.id, r.properties, r.updated_at, r.archived_at FROM records r
		JOIN object_types o ON o.id = r.object_type_id WHERE o.name = ? AND r.workspace_id = ?`), objectType, a.ws)
	if err != nil {
		a.t.Fatal(err)
	}
	defer rows.Close()
	out := map[int]string{}
	for rows.Next() {
		var id int
		var props []byte
		var updated, archived any
		if err := rows.Scan(&id, &props, &updated, &archived); err != nil {
			a.t.Fatal(err)
		}
		out[id] = fmt.Sprintf("%s | %v | %v", props, updated, archived)
	}
	if err := rows.Err(); err != nil {
		a.t.Fatal(err)
	}
	if len(out) == 0 {
		a.t.Fatalf("snapshot of %s is empty: the test would prove nothing", objectType)
	}
	return out
}

// unchanged fails unless every record of objectType is stored exactly as
// in before.
func (a *api) unchanged(objectType string, before map[int]string) {
	a.t.Helper()
	after := a.snapshot(objectType)
	if !maps.Equal(before, after) {
		for id, was := range before {
			if after[id] != was {
				a.t.Errorf("record %d changed:\n was %s\n now %s", id, was, after[id])
			}
		}
		a.t.Fatalf("a refused change touched stored values (%d records before, %d after)", len(before), len(after))
	}
}

// uniqueIndexOn reports whether the database has a unique index on the
// records table over the JSON value of property (whatever its name).
func (a *api) uniqueIndexOn(property string) bool {
	a.t.Helper()
	q := `SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' AND sql IS NOT NULL`
	if a.d.Dialect.Name() == dialect.Postgres {
		q = `SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'records'`
	}
	rows, err := a.d.SQL.Query(q)
	if err != nil {
		a.t.Fatal(err)
	}
	defer rows.Close()
	found := false
	for rows.Next() {
		var def string
		if err := rows.Scan(&def); err != nil {
			a.t.Fatal(err)
		}
		if strings.Contains(strings.ToUpper(def), "UNIQUE") &&
			(strings.Contains(def, "'"+property+"'") || strings.Contains(def, "'$."+property+"'")) {
			found = true
		}
	}
	if err := rows.Err(); err != nil {
		a.t.Fatal(err)
	}
	return found
}

// insertRaw writes a live record with SQL, past the API and its checks,
// as a second writer racing the API would.
func (a *api) insertRaw(objectType string, props map[string]any) error {
	a.t.Helper()
	var otID int
	if err := a.d.SQL.QueryRow(a.d.Dialect.Rebind("SELECT id FROM object_types WHERE workspace_id = ? AND name = ?"), a.ws, objectType).Scan(&otID); err != nil {
		a.t.Fatal(err)
	}
	b, err := json.Marshal(props)
	if err != nil {
		a.t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	_, err = a.d.SQL.Exec(a.d.Dialect.Rebind("INSERT INTO records (workspace_id, object_type_id, properties, created_at, updated_at) VALUES (?, ?, ?, ?, ?)"),
		a.ws, otID, string(b), now, now)
	return err
}

// recordsHolding counts the records of objectType, live and archived,
// whose stored values have the key name.
func (a *api) recordsHolding(objectType, name string) int {
	a.t.Helper()
	n := 0
	for _, s := range a.snapshot(objectType) {
		if strings.Contains(s, `"`+name+`"`) {
			n++
		}
	}
	return n
}

func wantMessage(t *testing.T, e gqlError, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(e.Message, p) {
			t.Fatalf("message %q does not say %q", e.Message, p)
		}
	}
}

// ---------------------------------------------------------------------------
// Rule 1: every valid type x fieldType pair of the reference, and only those.

func equalJSON(x, y any) bool {
	a, _ := json.Marshal(x)
	b, _ := json.Marshal(y)
	return string(a) == string(b)
}

// ---------------------------------------------------------------------------
// Rule 2: options of enumeration properties.
