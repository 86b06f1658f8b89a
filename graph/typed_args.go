package graph

import (
	"fmt"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/typed"
)

// A typed field's arguments become the generic field's: a typed filter a
// RecordFilter, a typed sort a RecordSort, typed values the properties
// map, which the generic field's one decoder (args.go) and the write path
// then take as they take a generic request's. Nothing here decides what
// a value means; it only renames.

// pass copies the arguments named from raw into out, when given.
func pass(out, raw map[string]any, names ...string) {
	for _, n := range names {
		if v, ok := raw[n]; ok {
			out[n] = v
		}
	}
}

// listArgs are a typed root list field's arguments as records'.
func listArgs(o *typed.Object, raw map[string]any) (map[string]any, error) {
	out := map[string]any{"objectType": o.Type.Name}
	pass(out, raw, "query", "first", "after", "last", "before", "archived", "asOf")
	return out, criteriaArgs(o, raw, out)
}

// associationArgs are a typed association field's arguments as
// Record.associations'.
func associationArgs(target *typed.Object, raw map[string]any) (map[string]any, error) {
	out := map[string]any{"toObjectType": target.Type.Name}
	pass(out, raw, "labels", "first", "after", "last", "before")
	return out, criteriaArgs(target, raw, out)
}

func criteriaArgs(o *typed.Object, raw, out map[string]any) error {
	if f, ok := raw["filter"]; ok {
		v, err := recordFilter(o, f, "filter")
		if err != nil {
			return err
		}
		out["filter"] = v
	}
	if s, ok := raw["sort"]; ok {
		v, err := recordSort(o, s)
		if err != nil {
			return err
		}
		out["sort"] = v
	}
	return nil
}

// operators are the typed filters' operator fields and the generic
// operator each is.
var operators = map[string]string{
	"eq": "EQ", "neq": "NEQ", "lt": "LT", "lte": "LTE", "gt": "GT", "gte": "GTE", "in": "IN", "notIn": "NOT_IN",
	"contains": "CONTAINS", "startsWith": "STARTS_WITH", "containsToken": "CONTAINS_TOKEN",
	"notContainsToken": "NOT_CONTAINS_TOKEN", "containsAll": "CONTAINS_ALL",
}

// operatorOrder is the order a typed filter's operators become leaves in,
// so that a translation is the same for the same input.
var operatorOrder = []string{"eq", "neq", "lt", "lte", "gt", "gte", "between", "in", "notIn", "contains", "startsWith",
	"containsToken", "notContainsToken", "containsAll", "me", "notMe", "hasProperty"}

// recordFilter is a typed filter of o as a RecordFilter: each field a
// leaf (a property's operators one leaf each), all of them ANDed.
func recordFilter(o *typed.Object, v any, path string) (any, error) {
	if v == nil {
		return nil, nil
	}
	in, ok := v.(map[string]any)
	if !ok {
		return nil, apierr.New(apierr.BadUserInput, "%s: a filter is an object", path)
	}
	var leaves []any
	for _, name := range []string{"and", "or"} {
		if list, ok := in[name]; ok && list != nil {
			items, _ := list.([]any)
			out := make([]any, 0, len(items))
			for i, item := range items {
				f, err := recordFilter(o, item, fmt.Sprintf("%s.%s[%d]", path, name, i))
				if err != nil {
					return nil, err
				}
				out = append(out, f)
			}
			leaves = append(leaves, map[string]any{name: out})
		}
	}
	if not, ok := in["not"]; ok && not != nil {
		f, err := recordFilter(o, not, path+".not")
		if err != nil {
			return nil, err
		}
		leaves = append(leaves, map[string]any{"not": f})
	}
	for _, name := range []string{"inList", "notInList"} {
		if id, ok := in[name]; ok && id != nil {
			leaves = append(leaves, map[string]any{name: id})
		}
	}
	for _, f := range o.Ordered() {
		value, ok := in[f.Name]
		if !ok || value == nil {
			continue
		}
		at := path + "." + f.Name
		switch f.Kind {
		case typed.Property:
			more, err := propertyLeaves(f, value, at)
			if err != nil {
				return nil, err
			}
			leaves = append(leaves, more...)
		case typed.Association:
			leaf, err := associationLeaf(f.Target, value, at)
			if err != nil {
				return nil, err
			}
			leaves = append(leaves, leaf)
		}
	}
	switch len(leaves) {
	case 0:
		if path == "filter" {
			return nil, nil // {} keeps every record, as no filter does
		}
		return nil, apierr.New(apierr.BadUserInput, "%s: an empty filter: give at least one field", path)
	case 1:
		return leaves[0], nil
	}
	return map[string]any{"and": leaves}, nil
}

// propertyLeaves are the leaves of one property's typed comparisons.
func propertyLeaves(f *typed.Field, v any, path string) ([]any, error) {
	ops, _ := v.(map[string]any)
	var leaves []any
	for _, op := range operatorOrder {
		value, ok := ops[op]
		if !ok {
			continue
		}
		if value == nil {
			return nil, apierr.New(apierr.BadUserInput, "%s.%s: null compares with nothing; hasProperty: false keeps the records without a value", path, op)
		}
		leaf := map[string]any{"property": f.Property.Name}
		switch op {
		case "between":
			r, _ := value.(map[string]any)
			leaf["operator"], leaf["value"], leaf["highValue"] = "BETWEEN", r["low"], r["high"]
		case "hasProperty":
			leaf["operator"] = "HAS_PROPERTY"
			if value == false {
				leaf["operator"] = "NOT_HAS_PROPERTY"
			}
		case "me", "notMe":
			if value == false {
				continue
			}
			leaf["operator"], leaf["me"] = "EQ", true
			if op == "notMe" {
				leaf["operator"] = "NEQ"
			}
		default:
			leaf["operator"] = operators[op]
			converted, err := optionValues(f, value, path+"."+op)
			if err != nil {
				return nil, err
			}
			if list, isList := converted.([]any); isList && (op == "in" || op == "notIn" || op == "containsAll") {
				leaf["values"] = list
			} else {
				leaf["value"] = converted
			}
		}
		for _, modifier := range []string{"includeMissing", "ever"} {
			if m, ok := ops[modifier]; ok && m != nil {
				leaf[modifier] = m
			}
		}
		leaves = append(leaves, leaf)
	}
	if len(leaves) == 0 {
		return nil, apierr.New(apierr.BadUserInput, "%s: give at least one comparison (includeMissing and ever only modify one)", path)
	}
	return leaves, nil
}

// associationLeaf is a typed association filter as an association leaf.
func associationLeaf(target *typed.Object, v any, path string) (any, error) {
	in, _ := v.(map[string]any)
	out := map[string]any{"toObjectType": target.Type.Name}
	pass(out, in, "labels", "minCount", "maxCount")
	for _, q := range []string{"some", "none", "every"} {
		if f, ok := in[q]; ok {
			converted, err := recordFilter(target, f, path+"."+q)
			if err != nil {
				return nil, err
			}
			out[q] = converted
		}
	}
	return map[string]any{"association": out}, nil
}

// optionValues is a typed value with its enum values as the options'
// values; other values as they are.
func optionValues(f *typed.Field, v any, path string) (any, error) {
	if f.Enum == nil || v == nil {
		return v, nil
	}
	if list, ok := v.([]any); ok {
		out := make([]any, len(list))
		for i, item := range list {
			o, err := optionValues(f, item, path)
			if err != nil {
				return nil, err
			}
			out[i] = o
		}
		return out, nil
	}
	name, _ := v.(string)
	value, ok := f.Enum.OptionOf(name)
	if !ok {
		return nil, apierr.New(apierr.BadUserInput, "%s: %q is no value of %s", path, name, f.Enum.Name)
	}
	return value, nil
}

// recordSort is a typed sort as RecordSorts.
func recordSort(o *typed.Object, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	list, _ := v.([]any)
	out := make([]any, 0, len(list))
	for i, item := range list {
		in, _ := item.(map[string]any)
		name, _ := in["field"].(string)
		f, ok := o.Fields[name]
		if !ok || f.Kind != typed.Property {
			return nil, apierr.New(apierr.BadUserInput, "sort[%d].field: %q is no property of %s", i, name, o.Name)
		}
		key := map[string]any{"property": f.Property.Name}
		pass(key, in, "direction", "nulls")
		out = append(out, key)
	}
	return out, nil
}

// recordValues are a typed input's values as the properties map: enum
// values as their options' values, an owner by its number.
func recordValues(o *typed.Object, v any, path string) (map[string]any, error) {
	in, _ := v.(map[string]any)
	out := make(map[string]any, len(in))
	for name, value := range in {
		f, ok := o.Fields[name]
		if !ok || f.Kind != typed.Property || !typed.Writable(f.Property) {
			return nil, apierr.New(apierr.BadUserInput, "%s.%s: no property of %s takes values by this name", path, name, o.Name)
		}
		converted, err := optionValues(f, value, path+"."+name)
		if err != nil {
			return nil, err
		}
		out[f.Property.Name] = converted
	}
	return out, nil
}

// writeArgs are a typed mutation's arguments as the generic mutation's
// input.
func writeArgs(r *typed.Root, raw map[string]any) (map[string]any, error) {
	o := r.Object
	input := map[string]any{}
	switch r.Kind {
	case typed.Create:
		props, err := recordValues(o, raw["input"], "input")
		if err != nil {
			return nil, err
		}
		input["objectType"], input["properties"] = o.Type.Name, props
		pass(input, raw, "associations", "allowErasedEmails")
	case typed.Update:
		props, err := recordValues(o, raw["input"], "input")
		if err != nil {
			return nil, err
		}
		input["id"], input["properties"] = raw["id"], props
	case typed.Archive, typed.Restore:
		input["id"] = raw["id"]
	case typed.ArchiveBatch:
		input["ids"] = raw["ids"]
	case typed.CreateBatch, typed.UpsertBatch:
		list, _ := raw["inputs"].([]any)
		items := make([]any, len(list))
		for i, item := range list {
			props, err := recordValues(o, item, fmt.Sprintf("inputs[%d]", i))
			if err != nil {
				return nil, err
			}
			items[i] = map[string]any{"properties": props}
		}
		input["objectType"], input["inputs"] = o.Type.Name, items
		pass(input, raw, "allowErasedEmails")
		if r.Kind == typed.UpsertBatch {
			input["idProperty"] = r.Unique.Name
		}
	case typed.UpdateBatch:
		list, _ := raw["inputs"].([]any)
		items := make([]any, len(list))
		for i, item := range list {
			in, _ := item.(map[string]any)
			props, err := recordValues(o, in["values"], fmt.Sprintf("inputs[%d].values", i))
			if err != nil {
				return nil, err
			}
			items[i] = map[string]any{"id": in["id"], "properties": props}
		}
		input["objectType"], input["inputs"] = o.Type.Name, items
	}
	return map[string]any{"input": input}, nil
}

// genericMutations are the generic fields typed mutations become.
var genericMutations = map[typed.RootKind]string{
	typed.Create: "createRecord", typed.Update: "updateRecord", typed.Archive: "archiveRecord", typed.Restore: "restoreRecord",
	typed.CreateBatch: "createRecords", typed.UpdateBatch: "updateRecords", typed.UpsertBatch: "upsertRecords",
	typed.ArchiveBatch: "archiveRecords",
}
