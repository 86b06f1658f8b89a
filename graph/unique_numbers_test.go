package graph_test

import (
	"testing"
)

// A unique number is matched by the database's own spelling of it on both
// sides, whatever that spelling is: 1e21 and a 23-digit integer upsert the
// same record the second time.
func TestUpsertByUniqueNumber(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.ok(`mutation { createProperty(input: {objectType: "companies", property: {name: "ext_id", label: "External id", type: NUMBER, fieldType: NUMBER, hasUniqueValue: true}}) { property { name } } }`, nil, nil)
		for _, v := range []any{1e21, "12345678901234567890123", 1.5e-7} {
			var first, second struct {
				UpsertRecords batchJSON
			}
			const q = `mutation($v: JSON!) { upsertRecords(input: {objectType: "companies", idProperty: "ext_id", inputs: [{properties: $v}]}) { ` + batchFields + ` } }`
			a.ok(q, map[string]any{"v": map[string]any{"ext_id": v, "name": "A"}}, &first)
			a.ok(q, map[string]any{"v": map[string]any{"ext_id": v, "name": "B"}}, &second)
			r1, r2 := first.UpsertRecords.Results[0], second.UpsertRecords.Results[0]
			if r1.Error != nil || r2.Error != nil || !r1.Created || r2.Created || r1.Record.ID != r2.Record.ID || r2.Record.Properties["name"] != "B" {
				t.Fatalf("%v: %+v then %+v", v, r1, r2)
			}
		}
	})
}
