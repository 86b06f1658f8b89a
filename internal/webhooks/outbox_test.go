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

// TestRolledBackWriteNeverDelivered: a write whose transaction fails
// after the outbox wrote its events (a later hook refuses it) leaves no
// event to deliver; the next write's is delivered alone.
func TestRolledBackWriteNeverDelivered(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := audit.WithActor(context.Background(), audit.CLI)
		ws, err := install.Default(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		m, err := meta.NewCache(d).Get(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
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
