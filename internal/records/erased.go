package records

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
)

// Contacts deleted permanently leave only a hash of their emails behind,
// so that their address does not come back by accident; a request may
// still allow it explicitly.

// EmailHash is how an erased email is remembered.
func EmailHash(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:])
}

// checkErased refuses, per item, new contacts whose email belonged to a
// contact deleted permanently, unless allowed: one statement for the whole
// batch. props[i] nil is an item refused already.
func (s *Store) checkErased(ctx context.Context, q ExecQuerier, m *meta.Model, ot *meta.ObjectType, props []map[string]any, allowed bool) ([]error, error) {
	errs := make([]error, len(props))
	if ot.Name != "contacts" || allowed {
		return errs, nil
	}
	hashes := map[string][]int{}
	var args []any
	for i, p := range props {
		if email, ok := p["email"].(string); ok && p != nil {
			h := EmailHash(email)
			if _, seen := hashes[h]; !seen {
				args = append(args, h)
			}
			hashes[h] = append(hashes[h], i)
		}
	}
	if len(args) == 0 {
		return errs, nil
	}
	rows, err := db.Build(s.db.Dialect, "SELECT email_hash FROM deleted_emails WHERE workspace_id = ").Arg(m.WorkspaceID).
		T(" AND email_hash IN (").Args(args...).T(")").Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("check erased emails: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		for _, i := range hashes[h] {
			errs[i] = apierr.Invalid("email", "%v belonged to a contact deleted permanently; pass allowErasedEmails to create it again", props[i]["email"])
		}
	}
	return errs, rows.Err()
}
