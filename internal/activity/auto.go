package activity

import (
	"context"
	"fmt"
	"slices"

	"github.com/acme/crm/ent/activitysetting"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/write"
)

// Automatic association, HubSpot's rules: an activity logged on a record
// is also associated with records related to it, when it is logged and
// never after (a deal associated with a contact later does not gain the
// contact's earlier activities).
//
//   - on a contact: its primary company (PRIMARY_COMPANY) and its open
//     deals (OPEN_DEALS);
//   - on a company: its open deals (OPEN_DEALS);
//   - on a deal: its primary company (PRIMARY_COMPANY);
//   - on a ticket: its primary company (PRIMARY_COMPANY) and that
//     company's open deals (OPEN_DEALS).
//
// The primary company is the one associated under the label "Primary".
// Open deals are live deals whose stage is not closed (closed won, closed
// lost: a stage marked closed in its pipeline), the maxOpenDeals most
// recently created. Each rule is on unless a workspace switched it off
// for the object type and the activity type (settings.go).

// The rules, as activity_settings stores them.
const (
	PrimaryCompany = activitysetting.RulePRIMARY_COMPANY
	OpenDeals      = activitysetting.RuleOPEN_DEALS
)

// rules are the rules of each object type activities are logged on.
var rules = map[string][]activitysetting.Rule{
	"contacts":  {PrimaryCompany, OpenDeals},
	"companies": {OpenDeals},
	"deals":     {PrimaryCompany},
	"tickets":   {PrimaryCompany, OpenDeals},
}

// maxOpenDeals is how many open deals a rule associates, the most
// recently created.
const maxOpenDeals = 5

// primaryLabel is the label of a record's primary company.
const primaryLabel = "Primary"

// associate associates act, an activity of type at logged on the records
// given, with what the rules switched on add, in tx.
func (s *Store) associate(ctx context.Context, tx *write.Tx, act *records.Record, at *meta.ObjectType, given []int) error {
	if len(given) == 0 {
		return nil
	}
	off, err := switchedOff(ctx, tx, at)
	if err != nil {
		return err
	}
	on, err := s.records.Lock(ctx, tx, given)
	if err != nil {
		return err
	}
	seen := map[int]bool{act.ID: true}
	for _, id := range given {
		seen[id] = true
	}
	var targets []int
	for _, id := range slices.Compact(slices.Sorted(slices.Values(given))) {
		r, ok := on[id]
		if !ok {
			continue
		}
		ot, ok := tx.Model.ObjectTypeByID(r.ObjectTypeID)
		if !ok {
			continue
		}
		for _, rule := range rules[ot.Name] {
			if off[ruleKey{ot.ID, rule}] {
				continue
			}
			ids, err := s.ruleTargets(ctx, tx, r, ot, rule)
			if err != nil {
				return err
			}
			for _, t := range ids {
				if !seen[t] {
					seen[t] = true
					targets = append(targets, t)
				}
			}
		}
	}
	for _, t := range targets {
		if err := s.links.Link(ctx, tx, act.ID, t, nil); err != nil {
			return fmt.Errorf("associate activity %d with record %d: %w", act.ID, t, err)
		}
	}
	return nil
}

// ruleTargets are the records rule associates an activity logged on r
// with.
func (s *Store) ruleTargets(ctx context.Context, tx *write.Tx, r *records.Record, ot *meta.ObjectType, rule activitysetting.Rule) ([]int, error) {
	if rule == PrimaryCompany {
		return primaryCompanies(ctx, tx, r.ID, ot)
	}
	from := []int{r.ID}
	if ot.Name == "tickets" {
		var err error
		if from, err = primaryCompanies(ctx, tx, r.ID, ot); err != nil || len(from) == 0 {
			return nil, err
		}
	}
	return openDeals(ctx, tx, from)
}

// primaryCompanies is the live primary company of record id of type ot,
// if it has one.
func primaryCompanies(ctx context.Context, tx *write.Tx, id int, ot *meta.ObjectType) ([]int, error) {
	m := tx.Model
	companies, ok := m.ObjectType("companies")
	if !ok {
		return nil, nil
	}
	primary, ok := m.AssociationType(ot, companies, primaryLabel)
	if !ok {
		return nil, nil
	}
	return db.Build(tx.Dialect, "SELECT c.id FROM associations a JOIN records c ON c.id = a.to_record_id WHERE a.workspace_id = ").Arg(m.WorkspaceID).
		T(" AND a.from_record_id = ").Arg(id).T(" AND a.association_type_id = ").Arg(primary.ID).T(" AND c.archived_at IS NULL ORDER BY c.id").IDs(ctx, tx)
}

// openDeals are the maxOpenDeals most recently created live deals not in
// a closed stage associated with any of the records from.
func openDeals(ctx context.Context, tx *write.Tx, from []int) ([]int, error) {
	m := tx.Model
	deals, ok := m.ObjectType("deals")
	if !ok {
		return nil, nil
	}
	ws := m.WorkspaceID
	q := db.Build(tx.Dialect, "SELECT d.id FROM records d WHERE d.workspace_id = ").Arg(ws).T(" AND d.object_type_id = ").Int(deals.ID).
		T(" AND d.archived_at IS NULL AND d.id IN (SELECT a.to_record_id FROM associations a WHERE a.workspace_id = ").Arg(ws).
		T(" AND a.to_object_type_id = ").Arg(deals.ID).T(" AND ").InIDs("a", "from_record_id", from).T(")")
	if closed := closedStages(deals); len(closed) > 0 && deals.StageProperty != "" {
		q.T(" AND (").Property("d", "properties", deals.StageProperty).T(" IS NULL OR ").Property("d", "properties", deals.StageProperty).
			T(" NOT IN (").Args(closed...).T("))")
	}
	return q.T(" ORDER BY d.created_at DESC, d.id DESC LIMIT ").Int(maxOpenDeals).IDs(ctx, tx)
}

// closedStages are the keys of the stages marked closed in ot's
// pipelines, archived ones too.
func closedStages(ot *meta.ObjectType) []any {
	var out []any
	for _, p := range ot.Pipelines {
		for _, st := range p.Stages {
			if st.Closed {
				out = append(out, st.Key)
			}
		}
	}
	return out
}
