package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/auth"
	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/dbtest"
	"github.com/acme/crm/internal/install"
)

func TestKeyStates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := audit.WithActor(context.Background(), audit.CLI)
		ws, err := install.Default(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		s := auth.New(d)
		if ok, err := s.Exists(ctx); err != nil || ok {
			t.Fatalf("Exists on a new database = %v, %v", ok, err)
		}
		in := time.Hour
		expires := clock.Now().Add(in)
		k, secret, err := s.Create(ctx, ws, "ci", []auth.Scope{auth.RecordsRead}, &expires, auth.Rate{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, auth.Prefix) || k.WorkspaceID != ws {
			t.Fatalf("secret %q, key %+v", secret, k)
		}
		if ok, err := s.Exists(ctx); err != nil || !ok {
			t.Fatalf("Exists after Create = %v, %v", ok, err)
		}
		got, err := s.Authenticate(ctx, "Bearer "+secret)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != k.ID || got.WorkspaceName != "default" || !got.Allows(auth.RecordsRead) || got.Allows(auth.RecordsWrite) || got.LastUsedAt == nil {
			t.Fatalf("authenticated key %+v", got)
		}
		other := auth.Prefix + strings.Repeat("A", len(secret)-len(auth.Prefix))
		for name, header := range map[string]string{
			"missing":    "",
			"not bearer": "Basic " + secret,
			"no prefix":  "Bearer " + strings.Repeat("A", len(secret)),
			"short":      "Bearer " + secret[:len(secret)-1],
			"unknown":    "Bearer " + other,
		} {
			if _, err := s.Authenticate(ctx, header); apierr.CodeOf(err) != apierr.Unauthenticated {
				t.Errorf("%s: want UNAUTHENTICATED, got %v", name, err)
			}
		}
		restore := clock.Set(expires)
		_, err = s.Authenticate(ctx, "Bearer "+secret)
		restore()
		if apierr.CodeOf(err) != apierr.Unauthenticated || !strings.Contains(err.Error(), "expired") {
			t.Fatalf("expired: %v", err)
		}
		if _, err := s.Revoke(ctx, ws+1, k.ID); apierr.CodeOf(err) != apierr.NotFound {
			t.Fatalf("revoke from another workspace: %v", err)
		}
		if _, err := s.Revoke(ctx, ws, k.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "Bearer "+secret); apierr.CodeOf(err) != apierr.Unauthenticated || !strings.Contains(err.Error(), "revoked") {
			t.Fatalf("revoked: %v", err)
		}
	})
}

func TestLastUsedIsWrittenOnceAMinute(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := audit.WithActor(context.Background(), audit.CLI)
		ws, err := install.Default(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		s := auth.New(d)
		_, secret, err := s.Create(ctx, ws, "ci", []auth.Scope{auth.Admin}, nil, auth.Rate{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		defer clock.Set(start)()
		lastUsed := func() time.Time {
			t.Helper()
			keys, err := s.List(ctx, ws)
			if err != nil || len(keys) != 1 || keys[0].LastUsedAt == nil {
				t.Fatalf("keys %v, %v", keys, err)
			}
			return keys[0].LastUsedAt.UTC()
		}
		for _, at := range []time.Duration{0, time.Second, 59 * time.Second} {
			clock.Set(start.Add(at))
			if _, err := s.Authenticate(ctx, "Bearer "+secret); err != nil {
				t.Fatal(err)
			}
		}
		if got := lastUsed(); !got.Equal(start) {
			t.Fatalf("last used %s, want %s (the first use of the minute)", got, start)
		}
		clock.Set(start.Add(time.Minute))
		if _, err := s.Authenticate(ctx, "Bearer "+secret); err != nil {
			t.Fatal(err)
		}
		if got := lastUsed(); !got.Equal(start.Add(time.Minute)) {
			t.Fatalf("last used %s, want a minute later", got)
		}
	})
}

func TestParseScopes(t *testing.T) {
	got, err := auth.ParseScopes([]string{"records_read", "ADMIN", "RECORDS_READ"})
	if err != nil || len(got) != 2 || !auth.Allows(got, auth.SchemaWrite) {
		t.Fatalf("%v %v", got, err)
	}
	for _, bad := range [][]string{nil, {""}, {"OWNER"}} {
		if _, err := auth.ParseScopes(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}
