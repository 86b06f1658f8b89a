package graph_test

import (
	"slices"
	"testing"

	"github.com/acme/crm/internal/apierr"
)

type introField struct {
	Name string
	Type struct {
		Kind   string
		OfType struct{ Name string }
	}
}

// The codes clients switch on are in the contract: enum ErrorCode lists
// exactly apierr.Codes, and the code fields are of that enum.
func TestErrorCodesInIntrospection(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		var out struct {
			Codes struct {
				EnumValues []struct{ Name, Description string }
			}
			Item, Row struct{ Fields []introField }
		}
		a.ok(`{ codes: __type(name: "ErrorCode") { enumValues { name description } }
			item: __type(name: "ItemError") { fields { name type { kind ofType { name } } } }
			row: __type(name: "ImportError") { fields { name type { kind ofType { name } } } } }`, nil, &out)
		var names []string
		for _, v := range out.Codes.EnumValues {
			names = append(names, v.Name)
			if v.Description == "" {
				t.Errorf("ErrorCode.%s has no description", v.Name)
			}
		}
		var want []string
		for _, c := range apierr.Codes {
			want = append(want, string(c))
		}
		if !slices.Equal(names, want) {
			t.Errorf("ErrorCode = %v, want apierr.Codes %v", names, want)
		}
		for typ, fields := range map[string][]introField{"ItemError": out.Item.Fields, "ImportError": out.Row.Fields} {
			i := slices.IndexFunc(fields, func(f introField) bool { return f.Name == "code" })
			if i < 0 || fields[i].Type.Kind != "NON_NULL" || fields[i].Type.OfType.Name != "ErrorCode" {
				t.Errorf("%s.code is not ErrorCode!: %+v", typ, fields)
			}
		}
	})
}
