package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/lib/pq"
)

// peerTable is one table of the relational copy: how it is made from the
// API's records or associations, and the key and row text by which each
// of its rows is compared with the row it came from.
type peerTable struct {
	name    string
	columns string // the CREATE TABLE body
	fill    string // INSERT ... SELECT from the bench schema; $1 workspace, $2 object type or association type
	arg     func(ds *dataset) int
	after   []string // primary key, indexes, foreign keys: made once the rows are in
	// copyRow and sourceRow select (key, row) from the copy and from the
	// records or associations; every row's text must be equal.
	copyRow, sourceRow string
}

// peerTables are made in order. Every row keeps the id and created_at of
// the record (or association) it came from, so that both sides order and
// page alike: newest first, ties by id.
var peerTables = []peerTable{
	{
		name:    "companies",
		columns: "id bigint NOT NULL, name text, domain text, created_at timestamptz NOT NULL",
		fill: "SELECT id, properties->>'name', properties->>'domain', created_at FROM records" +
			" WHERE workspace_id = $1 AND object_type_id = $2 AND archived_at IS NULL",
		arg:       func(ds *dataset) int { return ds.companies.ID },
		after:     []string{"ALTER TABLE %[1]s.companies ADD PRIMARY KEY (id)", "CREATE INDEX ON %[1]s.companies (created_at, id)"},
		copyRow:   "SELECT id::text, concat_ws('|', id, name, domain, created_at) FROM %[1]s.companies",
		sourceRow: "SELECT id::text, concat_ws('|', id, properties->>'name', properties->>'domain', created_at) FROM records WHERE workspace_id = $1 AND object_type_id = $2 AND archived_at IS NULL",
	},
	{
		name:    "contacts",
		columns: "id bigint NOT NULL, email text, firstname text, lastname text, created_at timestamptz NOT NULL",
		fill: "SELECT id, properties->>'email', properties->>'firstname', properties->>'lastname', created_at FROM records" +
			" WHERE workspace_id = $1 AND object_type_id = $2 AND archived_at IS NULL",
		arg:       func(ds *dataset) int { return ds.contacts.ID },
		after:     []string{"ALTER TABLE %[1]s.contacts ADD PRIMARY KEY (id)", "CREATE INDEX ON %[1]s.contacts (created_at, id)"},
		copyRow:   "SELECT id::text, concat_ws('|', id, email, firstname, lastname, created_at) FROM %[1]s.contacts",
		sourceRow: "SELECT id::text, concat_ws('|', id, properties->>'email', properties->>'firstname', properties->>'lastname', created_at) FROM records WHERE workspace_id = $1 AND object_type_id = $2 AND archived_at IS NULL",
	},
	{
		name:    "deals",
		columns: "id bigint NOT NULL, dealname text, amount double precision, pipeline text, dealstage text, created_at timestamptz NOT NULL",
		fill: "SELECT id, properties->>'dealname', (properties->>'amount')::double precision, properties->>'pipeline', properties->>'dealstage', created_at FROM records" +
			" WHERE workspace_id = $1 AND object_type_id = $2 AND archived_at IS NULL",
		arg:       func(ds *dataset) int { return ds.deals.ID },
		after:     []string{"ALTER TABLE %[1]s.deals ADD PRIMARY KEY (id)", "CREATE INDEX ON %[1]s.deals (created_at, id)"},
		copyRow:   "SELECT id::text, concat_ws('|', id, dealname, amount, pipeline, dealstage, created_at) FROM %[1]s.deals",
		sourceRow: "SELECT id::text, concat_ws('|', id, properties->>'dealname', properties->>'amount', properties->>'pipeline', properties->>'dealstage', created_at) FROM records WHERE workspace_id = $1 AND object_type_id = $2 AND archived_at IS NULL",
	},
	{
		// The join tables: one row a pair, from the associations of the
		// parent-to-child direction (the API stores both).
		name:    "company_contacts",
		columns: "company_id bigint NOT NULL, contact_id bigint NOT NULL, created_at timestamptz NOT NULL",
		fill:    "SELECT from_record_id, to_record_id, created_at FROM associations WHERE workspace_id = $1 AND association_type_id = $2",
		arg:     func(ds *dataset) int { return ds.companyToContact },
		after: []string{
			"ALTER TABLE %[1]s.company_contacts ADD PRIMARY KEY (company_id, contact_id)",
			"CREATE INDEX ON %[1]s.company_contacts (contact_id, company_id)",
			"ALTER TABLE %[1]s.company_contacts ADD FOREIGN KEY (company_id) REFERENCES %[1]s.companies",
			"ALTER TABLE %[1]s.company_contacts ADD FOREIGN KEY (contact_id) REFERENCES %[1]s.contacts",
		},
		copyRow:   "SELECT company_id || '>' || contact_id, concat_ws('|', company_id, contact_id, created_at) FROM %[1]s.company_contacts",
		sourceRow: "SELECT from_record_id || '>' || to_record_id, concat_ws('|', from_record_id, to_record_id, created_at) FROM associations WHERE workspace_id = $1 AND association_type_id = $2",
	},
	{
		name:    "contact_deals",
		columns: "contact_id bigint NOT NULL, deal_id bigint NOT NULL, created_at timestamptz NOT NULL",
		fill:    "SELECT from_record_id, to_record_id, created_at FROM associations WHERE workspace_id = $1 AND association_type_id = $2",
		arg:     func(ds *dataset) int { return ds.contactToDeal },
		after: []string{
			"ALTER TABLE %[1]s.contact_deals ADD PRIMARY KEY (contact_id, deal_id)",
			"CREATE INDEX ON %[1]s.contact_deals (deal_id, contact_id)",
			"ALTER TABLE %[1]s.contact_deals ADD FOREIGN KEY (contact_id) REFERENCES %[1]s.contacts",
			"ALTER TABLE %[1]s.contact_deals ADD FOREIGN KEY (deal_id) REFERENCES %[1]s.deals",
		},
		copyRow:   "SELECT contact_id || '>' || deal_id, concat_ws('|', contact_id, deal_id, created_at) FROM %[1]s.contact_deals",
		sourceRow: "SELECT from_record_id || '>' || to_record_id, concat_ws('|', from_record_id, to_record_id, created_at) FROM associations WHERE workspace_id = $1 AND association_type_id = $2",
	},
}

// peerCounts are the rows each table of the copy must hold.
var peerCounts = map[string]int{
	"companies": numCompanies, "contacts": numContacts, "deals": numDeals,
	"company_contacts": numContacts, "contact_deals": numDeals,
}

// buildPeerCopy makes schema peer and the relational copy of the loaded
// data in it, then checks it row by row. The returned func, non-nil once
// the schema exists, drops it.
func buildPeerCopy(ctx context.Context, sqlDB *sql.DB, peer string, ds *dataset, out io.Writer) (drop func() error, err error) {
	start := time.Now()
	q := pq.QuoteIdentifier(peer)
	if _, err := sqlDB.ExecContext(ctx, "CREATE SCHEMA "+q); err != nil {
		return nil, err
	}
	drop = func() error {
		if keep() {
			fmt.Fprintf(out, "kept schema %s (BENCH_KEEP)\n", peer)
			return nil
		}
		dctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := sqlDB.ExecContext(dctx, "DROP SCHEMA "+q+" CASCADE"); err != nil {
			return fmt.Errorf("drop schema %s: %w", peer, err)
		}
		return nil
	}
	tx, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return drop, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SET LOCAL maintenance_work_mem = '256MB'"); err != nil {
		return drop, err
	}
	for _, t := range peerTables {
		stmts := []string{fmt.Sprintf("CREATE TABLE %s.%s (%s)", q, t.name, t.columns)}
		if _, err := tx.ExecContext(ctx, stmts[0]); err != nil {
			return drop, fmt.Errorf("%s: %w", stmts[0], err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s.%s %s", q, t.name, t.fill), ds.workspaceID, t.arg(ds)); err != nil {
			return drop, fmt.Errorf("fill %s: %w", t.name, err)
		}
		for _, a := range t.after {
			stmt := fmt.Sprintf(a, q)
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return drop, fmt.Errorf("%s: %w", stmt, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return drop, err
	}
	for _, t := range peerTables {
		if _, err := sqlDB.ExecContext(ctx, fmt.Sprintf("ANALYZE %s.%s", q, t.name)); err != nil {
			return drop, err
		}
	}
	made := time.Since(start)

	// Every row against the row it came from: the same keys on both sides,
	// and the same text for each (id, the properties read, created_at).
	for _, t := range peerTables {
		var rows, missing, extra, differ int
		var sum string
		query := "SELECT count(*), count(*) FILTER (WHERE c.k IS NULL), count(*) FILTER (WHERE s.k IS NULL)," +
			" count(*) FILTER (WHERE c.row IS DISTINCT FROM s.row)," +
			" COALESCE(md5(string_agg(md5(c.row), '' ORDER BY c.row)), '')" +
			" FROM (" + fmt.Sprintf(t.copyRow, q) + ") AS c(k, row)" +
			" FULL JOIN (" + t.sourceRow + ") AS s(k, row) ON c.k = s.k"
		if err := sqlDB.QueryRowContext(ctx, query, ds.workspaceID, t.arg(ds)).Scan(&rows, &missing, &extra, &differ, &sum); err != nil {
			return drop, fmt.Errorf("check %s: %w", t.name, err)
		}
		if missing+extra+differ > 0 || rows != peerCounts[t.name] {
			return drop, fmt.Errorf("the copy's %s differs from the API's data: %d rows (want %d), %d missing, %d extra, %d different",
				t.name, rows, peerCounts[t.name], missing, extra, differ)
		}
		fmt.Fprintf(out, "copy: %-16s %7d rows, the same count and every row's md5 equal to the API's data (checksum %s)\n", t.name, rows, sum[:12])
	}
	fmt.Fprintf(out, "copy: relational copy in schema %s made in %.2fs, checked in %.2fs\n",
		peer, made.Seconds(), (time.Since(start) - made).Seconds())
	return drop, nil
}

func keep() bool { return os.Getenv("BENCH_KEEP") != "" }
