package graph

import "slices"

// ReadPlanTable is the read plans' field table: by type, each field a plan
// knows and the type of its selection ("" for a leaf).
func ReadPlanTable() map[string]map[string]string {
	out := map[string]map[string]string{}
	for typeName, fields := range readSchema {
		out[typeName] = map[string]string{}
		for name, spec := range fields {
			out[typeName][name] = spec.child
		}
	}
	return out
}

// SortedFields are the fields of a type of ReadPlanTable, in order.
func SortedFields(table map[string]map[string]string, typeName string) []string {
	var out []string
	for name := range table[typeName] {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}
