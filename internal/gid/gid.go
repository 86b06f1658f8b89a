// Package gid makes the opaque global ids of the Node interface: a kind and
// a numeric id, base64url encoded. Clients must not take them apart.
package gid

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/acme/crm/internal/apierr"
)

// The kinds of node.
const (
	Record          = "Record"
	ObjectType      = "ObjectType"
	Property        = "Property"
	PropertyGroup   = "PropertyGroup"
	Pipeline        = "Pipeline"
	PipelineStage   = "PipelineStage"
	AssociationType = "AssociationType"
	View            = "View"
	List            = "List"
	Import          = "Import"
	Export          = "Export"
	Workspace       = "Workspace"
	APIKey          = "ApiKey"
	Owner           = "Owner"
	Team            = "Team"
	AuditEntry      = "AuditEntry"
	Webhook         = "Webhook"
	WebhookDelivery = "WebhookDelivery"
)

// Encode returns the global id of kind and id.
func Encode(kind string, id int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + strconv.Itoa(id)))
}

// Decode splits a global id; a malformed one is BAD_USER_INPUT.
func Decode(s string) (kind string, id int, err error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		var n string
		var found bool
		kind, n, found = strings.Cut(string(raw), ":")
		if found && kind != "" {
			// Only the one spelling Encode makes is accepted ("+5" and "05"
			// are not 5), so that a node's id is the id it was asked by.
			if id, err = strconv.Atoi(n); err == nil && id > 0 && Encode(kind, id) == s {
				return kind, id, nil
			}
		}
	}
	return "", 0, apierr.New(apierr.BadUserInput, "%q is not a valid id", s)
}

// DecodeKind decodes a global id that must be of kind; one of another kind
// is NOT_FOUND, as no such node exists.
func DecodeKind(s, kind string) (int, error) {
	k, id, err := Decode(s)
	if err != nil {
		return 0, err
	}
	if k != kind {
		return 0, apierr.New(apierr.NotFound, "no %s with id %q", strings.ToLower(kind), s)
	}
	return id, nil
}

// DecodeKinds decodes global ids that must all be of kind, as DecodeKind;
// nil stays nil.
func DecodeKinds(ss []string, kind string) ([]int, error) {
	if ss == nil {
		return nil, nil
	}
	out := make([]int, len(ss))
	for i, s := range ss {
		id, err := DecodeKind(s, kind)
		if err != nil {
			return nil, err
		}
		out[i] = id
	}
	return out, nil
}
