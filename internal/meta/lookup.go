package meta

import "github.com/acme/crm/internal/apierr"

// Lookup returns the live object type called name, or NOT_FOUND.
func (m *Model) Lookup(name string) (*ObjectType, error) {
	ot, ok := m.ObjectType(name)
	if !ok {
		return nil, apierr.New(apierr.NotFound, "no object type %q", name)
	}
	return ot, nil
}
