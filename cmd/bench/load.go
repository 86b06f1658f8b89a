package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/acme/crm/internal/flatjson"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/search"
)

// dataset is what the loaded data is made of: the ids of its object types
// and of the unlabeled default association types between them.
type dataset struct {
	workspaceID                           int
	companies, contacts, deals            *meta.ObjectType
	companyToContact, contactToDeal       int // association type ids, parent to child
	contactToCompany, dealToContact       int // and their inverses
	firstCompany, firstContact, firstDeal int // record ids of the first of each
}

func newDataset(m *meta.Model) (*dataset, error) {
	ds := &dataset{workspaceID: m.WorkspaceID}
	for name, dst := range map[string]**meta.ObjectType{"companies": &ds.companies, "contacts": &ds.contacts, "deals": &ds.deals} {
		ot, ok := m.ObjectType(name)
		if !ok {
			return nil, fmt.Errorf("the catalog has no object type %q", name)
		}
		*dst = ot
	}
	for _, p := range []struct {
		from, to *meta.ObjectType
		dst      *int
	}{
		{ds.companies, ds.contacts, &ds.companyToContact}, {ds.contacts, ds.companies, &ds.contactToCompany},
		{ds.contacts, ds.deals, &ds.contactToDeal}, {ds.deals, ds.contacts, &ds.dealToContact},
	} {
		at, ok := m.AssociationType(p.from, p.to, "")
		if !ok {
			return nil, fmt.Errorf("the catalog has no default association type from %s to %s", p.from.Name, p.to.Name)
		}
		*p.dst = at.ID
	}
	return ds, nil
}

// epoch is when the first record of each object type was created.
var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Creation times are a millisecond apart, with ties inside the pages the
// benchmark reads, so that their order falls back on ids: every fifth
// company shares the previous one's time, the first and last contact of a
// company share theirs, and so do the first and last deal of a contact.
func companyCreated(i int) time.Time {
	if i%5 == 4 {
		i--
	}
	return epoch.Add(time.Duration(i) * time.Millisecond)
}

func contactCreated(i int) time.Time { return epoch.Add(time.Duration(i%90_000) * time.Millisecond) }

func dealCreated(j int) time.Time { return epoch.Add(time.Duration(j%37_500) * time.Millisecond) }

// companyOf is the company index of contact i; contactOf the contact index
// of deal j.
func companyOf(i int) int { return i % numCompanies }
func contactOf(j int) int { return (j % dealContacts) * 8 }

var firstNames = []string{"Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Dennis"}

// load writes the data set with COPY in one transaction, the indexes and
// foreign keys of the two tables rebuilt after it, and analyzes the tables,
// printing how long it took.
func load(ctx context.Context, sqlDB *sql.DB, ds *dataset, out io.Writer) error {
	start := time.Now()
	tx, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM records").Scan(&ds.firstCompany); err != nil {
		return fmt.Errorf("read records ids: %w", err)
	}
	checks, err := deferChecks(ctx, tx, nil, "records", "associations")
	if err != nil {
		return err
	}
	ds.firstContact = ds.firstCompany + numCompanies
	ds.firstDeal = ds.firstContact + numContacts
	last := ds.firstDeal + numDeals - 1

	nRecords, err := copyRows(ctx, tx, "records", recordColumns,
		func(emit func(...any) error) error {
			type company struct {
				Name   string `json:"name"`
				Domain string `json:"domain"`
			}
			type contact struct {
				Email     string `json:"email"`
				Firstname string `json:"firstname"`
				Lastname  string `json:"lastname"`
			}
			type deal struct {
				Dealname  string `json:"dealname"`
				Amount    int    `json:"amount"`
				Pipeline  string `json:"pipeline"`
				Dealstage string `json:"dealstage"`
			}
			record := recordEmitter(emit, ds.workspaceID, ds.companies, ds.contacts, ds.deals)
			for i := 0; i < numCompanies; i++ {
				p := company{Name: fmt.Sprintf("Company %05d", i), Domain: fmt.Sprintf("company%05d.example.com", i)}
				if err := record(ds.firstCompany+i, ds.companies.ID, p, companyCreated(i)); err != nil {
					return err
				}
			}
			for i := 0; i < numContacts; i++ {
				p := contact{Email: fmt.Sprintf("contact%06d@example.com", i), Firstname: firstNames[i%len(firstNames)], Lastname: fmt.Sprintf("Contact%06d", i)}
				if err := record(ds.firstContact+i, ds.contacts.ID, p, contactCreated(i)); err != nil {
					return err
				}
			}
			for j := 0; j < numDeals; j++ {
				p := deal{Dealname: fmt.Sprintf("Deal %05d", j), Amount: 1000 + (j%97)*250, Pipeline: "default", Dealstage: "qualifiedtobuy"}
				if err := record(ds.firstDeal+j, ds.deals.ID, p, dealCreated(j)); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		return err
	}

	nAssoc, err := copyRows(ctx, tx, "associations", associationColumns,
		func(emit func(...any) error) error {
			pair := func(a, b, aToB, bToA, aType, bType int, at time.Time) error {
				return emitPair(emit, ds.workspaceID, a, b, aToB, bToA, aType, bType, at)
			}
			for i := 0; i < numContacts; i++ {
				if err := pair(ds.firstCompany+companyOf(i), ds.firstContact+i, ds.companyToContact, ds.contactToCompany,
					ds.companies.ID, ds.contacts.ID, contactCreated(i)); err != nil {
					return err
				}
			}
			for j := 0; j < numDeals; j++ {
				if err := pair(ds.firstContact+contactOf(j), ds.firstDeal+j, ds.contactToDeal, ds.dealToContact,
					ds.contacts.ID, ds.deals.ID, dealCreated(j)); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		return err
	}

	copied := time.Since(start)
	if err := checks.finish(ctx, sqlDB, tx, last); err != nil {
		return err
	}
	loaded := time.Since(start)
	for _, table := range []string{"records", "associations"} {
		if _, err := sqlDB.ExecContext(ctx, "ANALYZE "+table); err != nil {
			return fmt.Errorf("analyze %s: %w", table, err)
		}
	}
	rows := nRecords + nAssoc
	fmt.Fprintf(out, "loaded %d records and %d association rows in %.2fs, %.0f rows/s (COPY %.2fs, %d indexes and foreign keys rebuilt %.2fs, ANALYZE %.2fs)\n",
		nRecords, nAssoc, loaded.Seconds(), float64(rows)/loaded.Seconds(), copied.Seconds(), checks.rebuilt(),
		(loaded - copied).Seconds(), (time.Since(start) - loaded).Seconds())
	return nil
}

// The columns the loads copy into records and associations.
var (
	recordColumns      = []string{"id", "workspace_id", "object_type_id", "properties", "search_text", "created_at", "updated_at"}
	associationColumns = []string{"workspace_id", "from_record_id", "to_record_id", "association_type_id", "from_object_type_id", "to_object_type_id", "created_at"}
)

// emitPair emits the association rows of records a and b of object types
// aType and bType: both directions, each with the association type of its
// own direction.
func emitPair(emit func(...any) error, workspaceID, a, b, aToB, bToA, aType, bType int, at time.Time) error {
	if err := emit(workspaceID, a, b, aToB, aType, bType, at); err != nil {
		return err
	}
	return emit(workspaceID, b, a, bToA, bType, aType, at)
}

// copyRows streams the rows gen emits into table with COPY FROM STDIN.
func copyRows(ctx context.Context, tx *sql.Tx, table string, columns []string, gen func(emit func(...any) error) error) (int, error) {
	stmt, err := tx.PrepareContext(ctx, "COPY "+table+" ("+strings.Join(columns, ", ")+") FROM STDIN")
	if err != nil {
		return 0, fmt.Errorf("copy into %s: %w", table, err)
	}
	defer stmt.Close()
	n := 0
	err = gen(func(row ...any) error {
		n++
		_, err := stmt.ExecContext(ctx, row...)
		return err
	})
	if err == nil {
		_, err = stmt.ExecContext(ctx) // flush
	}
	if err != nil {
		return 0, fmt.Errorf("copy into %s: %w", table, err)
	}
	return n, stmt.Close()
}

// recordEmitter emits rows of recordColumns: a record's values as JSON
// and the search text the server would keep of them.
func recordEmitter(emit func(...any) error, workspaceID int, types ...*meta.ObjectType) func(id, ot int, props any, at time.Time) error {
	searchable := map[int][]string{}
	for _, t := range types {
		searchable[t.ID] = search.Searchable(t)
	}
	return func(id, ot int, props any, at time.Time) error {
		b, err := json.Marshal(props)
		if err != nil {
			return err
		}
		values, err := flatjson.Unmarshal(b)
		if err != nil {
			return err
		}
		return emit(id, workspaceID, ot, string(b), search.RecordText(searchable[ot], values), at, at)
	}
}
