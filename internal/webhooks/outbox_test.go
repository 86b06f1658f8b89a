package webhooks_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/ent/importjob"
	"github.com/acme/crm/ent/webhookevent"
	"github.com/acme/crm/internal/assoc"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/install"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/webhooks"
	"github.com/acme/crm/internal/write"
)

// installed installs the default workspace in d and returns a context
// acting as the command line, with the workspace's definitions.
func installed(t *testing.T, d *db.DB) (context.Context, *meta.Model) {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.CLI)
	ws, err := install.Default(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	m, err := meta.NewCache(d).Get(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	return ctx, m
}

// TestRolledBackWriteNeverDelivered: a write whose transaction fails
// after the outbox wrote its events (a later hook refuses it) leaves no
// event to deliver; the next write's is delivered alone.
func TestRolledBackWriteNeverDelivered(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, m := installed(t, d)
		var mu sync.Mutex
		var got []webhooks.Event
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var events []webhooks.Event
			if err := json.NewDecoder(r.Body).Decode(&events); err != nil {
				t.Errorf("decode: %v", err)
			}
			mu.Lock()
			got = append(got, events...)
			mu.Unlock()
		}))
		defer rcv.Close()
		hooks := webhooks.New(d, webhooks.Config{AllowPrivateTargets: true})
		url := rcv.URL
		if _, _, err := hooks.Create(ctx, m, webhooks.Input{URL: &url, Events: []webhooks.EventType{webhooks.RecordCreated}}); err != nil {
			t.Fatal(err)
		}

		w := write.New(d)
		recs := records.New(d, w, assoc.New(d, w))
		webhooks.Outbox(w)
		refuse := true
		w.BeforeCommit(func(ctx context.Context, t *write.Tx) error {
			if refuse {
				return errors.New("refused after the outbox")
			}
			return nil
		})
		if _, err := recs.Create(ctx, m, "contacts", records.NewRecord{Properties: map[string]any{"email": "gone@example.com"}}, records.Options{}); err == nil {
			t.Fatal("the refused write succeeded")
		}
		refuse = false
		kept, err := recs.Create(ctx, m, "contacts", records.NewRecord{Properties: map[string]any{"email": "kept@example.com"}}, records.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := hooks.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(got) != 1 || got[0].RecordID != strconv.Itoa(kept.ID) {
			t.Fatalf("delivered %+v, want the committed record %d alone", got, kept.ID)
		}
	})
}

// TestImportEndedReadsTheWebhooksOfItsVersion: an import's end told
// definitions older than a webhook made since (the engine read them
// before) writes the webhook's event all the same: it writes against the
// definitions of the version it locks.
func TestImportEndedReadsTheWebhooksOfItsVersion(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, old := installed(t, d)
		url := "http://127.0.0.1:1/"
		hook, _, err := webhooks.New(d, webhooks.Config{AllowPrivateTargets: true}).Create(ctx, old,
			webhooks.Input{URL: &url, Events: []webhooks.EventType{webhooks.ImportFinished}})
		if err != nil {
			t.Fatal(err)
		}
		tx, err := d.Client.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		job := &ent.ImportJob{ID: 1, Name: "people", State: importjob.StateDONE}
		if err := webhooks.ImportEnded(ctx, tx, d.Dialect, old, []string{"contacts"}, job); err != nil {
			t.Fatal(errors.Join(err, tx.Rollback()))
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		n, err := d.Client.WebhookEvent.Query().Where(webhookevent.WebhookID(hook.ID), webhookevent.Type(string(webhooks.ImportFinished))).Count(ctx)
		if err != nil || n != 1 {
			t.Fatalf("%d IMPORT_FINISHED events (%v), want 1", n, err)
		}
	})
}
