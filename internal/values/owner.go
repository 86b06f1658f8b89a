package values

import (
	"encoding/json"
	"strings"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
)

// OwnerOf finds the owner a value of owner property def names: its id (a
// number, or digits as HubSpot clients send them) or its email, among the
// property's options (meta makes them of the workspace's owners). An
// unknown owner is refused naming the property; an archived one is
// returned with its option, Hidden, for the caller to decide.
func OwnerOf(def *meta.Property, raw any) (propdef.Option, error) {
	var key string
	if n, ok := AsNumber(raw); ok {
		key = n.String()
	} else if s, ok := raw.(string); ok {
		key = strings.TrimSpace(s)
	} else {
		return propdef.Option{}, wrongType(def, "an owner id or email", raw)
	}
	byEmail := strings.Contains(key, "@")
	for _, o := range def.Options {
		if o.Value == key || byEmail && strings.EqualFold(o.Description, key) {
			return o, nil
		}
	}
	return propdef.Option{}, apierr.Invalid(def.Name, "property %q names no owner %q of the workspace", def.Name, key)
}

// normalizeOwner stores an owner as its id, a JSON number. An archived
// owner is refused, as HubSpot refuses assigning a deactivated user; the
// records assigned before it was archived keep it.
func normalizeOwner(def *meta.Property, raw any) (any, error) {
	o, err := OwnerOf(def, raw)
	if err != nil {
		return nil, err
	}
	if o.Hidden {
		return nil, apierr.Invalid(def.Name, "owner %s (%s) is archived: property %q takes a live owner", o.Value, o.Description, def.Name)
	}
	return json.Number(o.Value), nil
}
