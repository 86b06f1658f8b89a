package events_test

import (
	"context"
	"testing"
	"time"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/ent/changeevent"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/events"
	"github.com/acme/crm/internal/install"
)

// TestPrune deletes exactly the events older than the bound, across more
// than one of its batches, and keeps the rest, ids and all.
func TestPrune(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ws, err := install.Default(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		const old, recent = 11_000, 1_000
		for i := 0; i < old+recent; i += 1000 {
			bulk := make([]*ent.ChangeEventCreate, 1000)
			for j := range bulk {
				at := now.Add(-30 * 24 * time.Hour)
				if i+j >= old {
					at = now
				}
				bulk[j] = d.Client.ChangeEvent.Create().SetWorkspaceID(ws).SetKind("UPDATED").SetObjectTypeID(1).
					SetRecordID(i + j + 1).SetProperties([]string{"email"}).SetOccurredAt(at)
			}
			if err := d.Client.ChangeEvent.CreateBulk(bulk...).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		n, err := events.Prune(ctx, d, now.Add(-time.Hour))
		if err != nil || n != old {
			t.Fatalf("Prune = %d, %v; want %d deleted", n, err, old)
		}
		left, err := d.Client.ChangeEvent.Query().Order(ent.Asc(changeevent.FieldID)).All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(left) != recent || left[0].RecordID != old+1 || left[len(left)-1].RecordID != old+recent {
			t.Fatalf("left %d events, records %d to %d; want the %d recent ones", len(left), left[0].RecordID, left[len(left)-1].RecordID, recent)
		}
		if n, err := events.Prune(ctx, d, now.Add(-time.Hour)); err != nil || n != 0 {
			t.Fatalf("a second Prune = %d, %v; want 0", n, err)
		}
	})
}
