package auth

import (
	"time"

	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/gid"
)

// Workspace is a tenant as the API shows it.
type Workspace struct {
	ID        int
	Name      string
	CreatedAt time.Time
}

// GlobalID is the workspace's opaque global id.
func (w Workspace) GlobalID() string { return gid.Encode(gid.Workspace, w.ID) }

// Viewer is who makes a request: a key, or anyone on this machine when
// the server runs in local mode.
type Viewer struct {
	// Local: no key configured, every scope granted.
	Local bool
	// Key is the request's key; nil in local mode.
	Key *Key
	// WorkspaceID is the workspace the request works in.
	WorkspaceID int
}

// Scopes are what the viewer may do.
func (v *Viewer) Scopes() []Scope {
	if v.Local {
		return AllScopes
	}
	return v.Key.Scopes
}

// OwnerID is the owner the request is tied to (its key's); 0 for none,
// as in local mode.
func (v *Viewer) OwnerID() int {
	if v.Key == nil {
		return 0
	}
	return v.Key.OwnerID
}

// Allows tells whether the viewer may do what need grants.
func (v *Viewer) Allows(need Scope) bool { return v.Local || v.Key.Allows(need) }

// Actor is who the audit trail says made the viewer's changes: its key,
// or local.
func (v *Viewer) Actor() audit.Actor {
	if v.Local {
		return audit.Local
	}
	return audit.Key(v.Key.ID, v.Key.Name)
}
