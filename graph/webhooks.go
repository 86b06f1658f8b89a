package graph

import (
	"context"

	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/meta"
)

// webhookArgs decodes a webhook's id, and reads the definitions its
// object types are named against.
func (r *Resolver) webhookArgs(ctx context.Context, id string) (*meta.Model, int, error) {
	n, err := gid.DecodeKind(id, gid.Webhook)
	if err != nil {
		return nil, 0, err
	}
	m, err := r.model(ctx)
	return m, n, err
}
