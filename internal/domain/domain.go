// Package domain makes the stores that write records over one database,
// with the hooks every write runs: the server's handler and the command
// line (crm import) write through the same.
package domain

import (
	"log/slog"
	"os"
	"path/filepath"

	"github.com/acme/crm/internal/activity"
	"github.com/acme/crm/internal/assoc"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/events"
	"github.com/acme/crm/internal/importer"
	"github.com/acme/crm/internal/lists"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/webhooks"
	"github.com/acme/crm/internal/write"
)

// Stores are the stores of one database, over one write unit.
type Stores struct {
	Write      *write.Unit
	Links      *assoc.Store
	Records    *records.Store
	Activities *activity.Store
	Lists      *lists.Store
	Imports    *importer.Engine
	// Events hands the change log to this process's subscribers.
	Events *events.Broker
}

// New makes the stores of d. Uploaded files wait for their import in
// importDir ("": crm-imports in the system's temporary folder).
func New(d *db.DB, importDir string, logger *slog.Logger) *Stores {
	if importDir == "" {
		importDir = filepath.Join(os.TempDir(), "crm-imports")
	}
	w := write.New(d)
	links := assoc.New(d, w)
	recs := records.New(d, w, links)
	// The rollups' hook writes values the lists' hook reads: it comes
	// first.
	acts := activity.New(d, w, recs, links)
	ls := lists.New(d, w)
	// After the hooks that change records, before the log: a webhook's
	// event carries the values they wrote.
	webhooks.Outbox(w)
	// Last: the log records what the hooks before it changed too.
	broker := events.NewBroker(d, logger)
	events.Log(w, broker)
	return &Stores{Write: w, Links: links, Records: recs, Activities: acts, Lists: ls,
		Imports: importer.New(d, w, recs, links, ls, importDir, logger), Events: broker}
}
