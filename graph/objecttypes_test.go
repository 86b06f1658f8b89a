package graph_test

import (
	"testing"
)

func TestObjectTypesGolden(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		resp := a.do(readQuery(t, "objecttypes.graphql"), nil)
		if len(resp.Errors) > 0 {
			t.Fatalf("errors: %+v", resp.Errors)
		}
		golden(t, "objecttypes.json", resp.Data)
	})
}

func TestObjectTypeUnknownIsNull(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		var out struct {
			ObjectType *struct{ Name string } `json:"objectType"`
		}
		a.ok(`{ objectType(name: "unicorns") { name } }`, nil, &out)
		if out.ObjectType != nil {
			t.Fatalf("want null, got %+v", out.ObjectType)
		}
	})
}
