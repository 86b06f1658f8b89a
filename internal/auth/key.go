package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/ent/apikey"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/ratelimit"
)

// Prefix starts every secret, so that one found in a log or a repository
// is recognised (and secret scanners can be taught it).
const Prefix = "crm_"

// secretBytes of randomness: 256 bits, so that a plain SHA-256 of the
// secret is as strong as a slow hash would be for a password.
const secretBytes = 32

// secretLen is the length of a secret: the prefix and the bytes in
// unpadded base64url.
var secretLen = len(Prefix) + base64.RawURLEncoding.EncodedLen(secretBytes)

// TouchEvery is how often a key's last-used time is written at most, by
// one server process: a request does not write.
const TouchEvery = time.Minute

// Key is an API key, never its secret.
type Key struct {
	ID            int
	WorkspaceID   int
	WorkspaceName string
	Name          string
	Scopes        []Scope
	CreatedAt     time.Time
	ExpiresAt     *time.Time
	RevokedAt     *time.Time
	LastUsedAt    *time.Time
	// RateBurst and RatePerSecond are the key's own rate limit, each nil
	// for the server's default (package ratelimit).
	RateBurst     *int
	RatePerSecond *float64
	// OwnerID is the owner the key's requests are tied to; 0 for none.
	OwnerID int
}

// Rate is a key's rate limit as it is asked for: nil fields take the
// server's defaults.
type Rate struct {
	Burst     *int
	PerSecond *float64
}

// GlobalID is the key's opaque global id.
func (k *Key) GlobalID() string { return gid.Encode(gid.APIKey, k.ID) }

// Allows tells whether the key grants need.
func (k *Key) Allows(need Scope) bool { return Allows(k.Scopes, need) }

// cachedKeys bounds the keys a server process keeps read (Store.cache).
const cachedKeys = 10000

// Store keeps API keys.
type Store struct {
	db *db.DB
	mu sync.Mutex
	// touched is when this process last wrote each key's last-used time.
	touched map[int]time.Time
	// cache holds keys read, by the hash of their secret, with the mark
	// noted before each was read: on PostgreSQL a key is trusted without
	// a statement while the database's watch heard no change of any key
	// or workspace since (db.DB.KeysUnchanged, where the reasoning is), so
	// a revocation holds from the next request on, on every server.
	cache *lru.Cache[string, cachedKey]
}

// cachedKey is a key as read, and the mark noted before it was.
type cachedKey struct {
	key    Key
	stored string
	mark   db.Mark
}

// New returns the store of keys over d.
func New(d *db.DB) *Store {
	cache, err := lru.New[string, cachedKey](cachedKeys)
	if err != nil {
		panic(err) // only for a size under 1
	}
	return &Store{db: d, touched: map[int]time.Time{}, cache: cache}
}

// Create makes a key of the workspace and returns it with its secret,
// which is nowhere else: whoever loses it makes another key. ownerID,
// when not 0, ties the key's requests to that owner of the workspace,
// which the caller found live (package owners).
func (s *Store) Create(ctx context.Context, workspaceID int, name string, scopes []Scope, expiresAt *time.Time, rate Rate, ownerID int) (*Key, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, "", apierr.Invalid("name", "a key needs a name")
	}
	if len(scopes) == 0 {
		return nil, "", apierr.New(apierr.BadUserInput, "a key needs at least one scope")
	}
	now := clock.Now()
	if expiresAt != nil && !expiresAt.After(now) {
		return nil, "", apierr.New(apierr.BadUserInput, "expiresAt %s is not in the future", expiresAt.UTC().Format(time.RFC3339))
	}
	if err := rate.check(); err != nil {
		return nil, "", err
	}
	raw := make([]byte, secretBytes)
	if _, err := rand.Read(raw); err != nil {
		return nil, "", err
	}
	secret := Prefix + base64.RawURLEncoding.EncodeToString(raw)
	var row *ent.APIKey
	err := audit.Write(ctx, s.db.Client, workspaceID, func(tx *ent.Tx) (audit.Change, error) {
		c := tx.APIKey.Create().SetWorkspaceID(workspaceID).SetName(name).
			SetSecretHash(hash(secret)).SetScopes(joinScopes(scopes)).SetCreatedAt(now)
		if expiresAt != nil {
			c.SetExpiresAt(expiresAt.UTC().Truncate(time.Microsecond))
		}
		c.SetNillableRateBurst(rate.Burst).SetNillableRatePerSecond(rate.PerSecond)
		if ownerID != 0 {
			c.SetOwnerID(ownerID)
		}
		var err error
		if row, err = c.Save(ctx); err != nil {
			return audit.Change{}, fmt.Errorf("create key: %w", err)
		}
		return audit.Of(audit.CreateAPIKey, gid.APIKey, row.ID, "created API key %q with scopes %s", name, joinScopes(scopes)), nil
	})
	if err != nil {
		return nil, "", err
	}
	return keyOf(row), secret, nil
}

// List returns the keys of a workspace (of every workspace when
// workspaceID is 0, for the command line), oldest first.
func (s *Store) List(ctx context.Context, workspaceID int) ([]*Key, error) {
	q := s.db.Client.APIKey.Query().WithWorkspace().Order(ent.Asc(apikey.FieldID))
	if workspaceID != 0 {
		q.Where(apikey.WorkspaceID(workspaceID))
	}
	rows, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Key, len(rows))
	for i, row := range rows {
		out[i] = keyOf(row)
	}
	return out, nil
}

// Revoke revokes a key of the workspace (of any workspace when
// workspaceID is 0) at once: the next request that carries it is refused,
// on every server, since every request reads its key. Revoking a revoked
// key changes nothing. A key of another workspace is NOT_FOUND, as a
// missing one.
func (s *Store) Revoke(ctx context.Context, workspaceID, id int) (*Key, error) {
	q := s.db.Client.APIKey.Query().Where(apikey.ID(id)).WithWorkspace()
	if workspaceID != 0 {
		q.Where(apikey.WorkspaceID(workspaceID))
	}
	row, err := q.Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apierr.New(apierr.NotFound, "no API key with id %q", gid.Encode(gid.APIKey, id))
	}
	if err != nil {
		return nil, err
	}
	if row.RevokedAt == nil {
		now := clock.Now()
		err := audit.Write(ctx, s.db.Client, row.WorkspaceID, func(tx *ent.Tx) (audit.Change, error) {
			// Revoked once: a revocation racing this one changes nothing.
			n, err := tx.APIKey.Update().Where(apikey.ID(id), apikey.RevokedAtIsNil()).SetRevokedAt(now).Save(ctx)
			if err != nil || n == 0 {
				return audit.Change{}, err
			}
			return audit.Of(audit.RevokeAPIKey, gid.APIKey, id, "revoked API key %q", row.Name), nil
		})
		if err != nil {
			return nil, err
		}
		row.RevokedAt = &now
	}
	return keyOf(row), nil
}

// Exists tells whether any key was ever made, revoked or not: once one
// was, a server in local mode asks every request for one. It runs on the
// pool itself, outside a statement counter: a server in local mode asks
// at most once a second, whichever request comes then, and the counts of
// a request's own statements stay exact.
func (s *Store) Exists(ctx context.Context) (bool, error) {
	var n int
	err := db.Build(s.db.Dialect, "SELECT COUNT(*) FROM (SELECT 1 FROM api_keys LIMIT 1) k").Row(ctx, s.db.SQL, &n)
	return n > 0, err
}

// Authenticate finds the key of an Authorization header's bearer secret.
// A missing header, a malformed one, an unknown secret and a key expired
// or revoked are UNAUTHENTICATED. The key is read through a statement
// prepared once per connection, or trusted as read before while nothing
// was heard of keys since (Store.cache): either way a revocation holds at
// once on every server.
func (s *Store) Authenticate(ctx context.Context, header string) (*Key, error) {
	if header == "" {
		return nil, apierr.New(apierr.Unauthenticated, "this server needs an API key: send it as Authorization: Bearer <secret> (crm keys create makes one)")
	}
	secret, ok := strings.CutPrefix(header, "Bearer ")
	secret = strings.TrimSpace(secret)
	if !ok || len(secret) != secretLen || !strings.HasPrefix(secret, Prefix) {
		return nil, apierr.New(apierr.Unauthenticated, "the Authorization header must be Bearer and a secret of %d characters starting %s", secretLen, Prefix)
	}
	want := hash(secret)
	c, ok := s.cache.Get(want)
	if !ok || !s.db.KeysUnchanged(ctx, c.mark) {
		var err error
		if c, err = s.read(ctx, want); err != nil {
			return nil, err
		}
	}
	// The index found the row by its hash; the hash is compared again in
	// constant time, so that no answer depends on how much of it matched.
	if subtle.ConstantTimeCompare([]byte(c.stored), []byte(want)) != 1 {
		return nil, apierr.New(apierr.Unauthenticated, "the API key is not known")
	}
	k := c.key
	now := clock.Now()
	switch {
	case k.RevokedAt != nil:
		return nil, apierr.New(apierr.Unauthenticated, "the API key %q was revoked", k.Name)
	case k.ExpiresAt != nil && !now.Before(*k.ExpiresAt):
		return nil, apierr.New(apierr.Unauthenticated, "the API key %q expired at %s", k.Name, k.ExpiresAt.Format(time.RFC3339))
	}
	if err := s.touch(ctx, &k, now); err != nil {
		return nil, err
	}
	if c.mark.Heard() && k.LastUsedAt != c.key.LastUsedAt {
		// A last-used time notifies no server: the cached key keeps the
		// latest this process knows, under the same mark.
		c.key.LastUsedAt = k.LastUsedAt
		s.cache.Add(want, c)
	}
	return &k, nil
}

// read reads the key whose secret hashes to want, and keeps it in the
// cache when the watch listened as it began.
func (s *Store) read(ctx context.Context, want string) (cachedKey, error) {
	c := cachedKey{mark: s.db.KeysMark()}
	k := &c.key
	var scopes string
	var expires, revoked, used *time.Time
	var owner *int
	err := s.db.ReadRow(ctx, db.Build(s.db.Dialect,
		"SELECT k.id, k.workspace_id, w.name, k.name, k.secret_hash, k.scopes, k.created_at, k.expires_at, k.revoked_at, k.last_used_at, k.rate_burst, k.rate_per_second, k.owner_id "+
			"FROM api_keys k JOIN workspaces w ON w.id = k.workspace_id WHERE k.secret_hash = ").Arg(want),
		&k.ID, &k.WorkspaceID, &k.WorkspaceName, &k.Name, &c.stored, &scopes, &k.CreatedAt, &expires, &revoked, &used, &k.RateBurst, &k.RatePerSecond, &owner)
	if errors.Is(err, sql.ErrNoRows) {
		return c, apierr.New(apierr.Unauthenticated, "the API key is not known")
	}
	if err != nil {
		return c, err
	}
	k.Scopes, k.CreatedAt = splitScopes(scopes), k.CreatedAt.UTC()
	k.ExpiresAt, k.RevokedAt, k.LastUsedAt = utc(expires), utc(revoked), utc(used)
	if owner != nil {
		k.OwnerID = *owner
	}
	if c.mark.Heard() {
		s.cache.Add(want, c)
	}
	return c, nil
}

// touch writes the key's last-used time when it is older than TouchEvery,
// at most once in TouchEvery by this process, and sets k's to the latest
// this process wrote.
func (s *Store) touch(ctx context.Context, k *Key, now time.Time) error {
	if k.LastUsedAt != nil && now.Sub(*k.LastUsedAt) < TouchEvery {
		return nil
	}
	s.mu.Lock()
	last, ok := s.touched[k.ID]
	if !ok || now.Sub(last) >= TouchEvery {
		s.touched[k.ID] = now
	}
	s.mu.Unlock()
	if ok && now.Sub(last) < TouchEvery {
		if k.LastUsedAt == nil || last.After(*k.LastUsedAt) {
			k.LastUsedAt = &last
		}
		return nil
	}
	if err := s.db.Client.APIKey.UpdateOneID(k.ID).SetLastUsedAt(now).Exec(ctx); err != nil {
		return fmt.Errorf("record the use of key %d: %w", k.ID, err)
	}
	k.LastUsedAt = &now
	return nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func keyOf(row *ent.APIKey) *Key {
	k := &Key{ID: row.ID, WorkspaceID: row.WorkspaceID, Name: row.Name, Scopes: splitScopes(row.Scopes),
		CreatedAt: row.CreatedAt, ExpiresAt: row.ExpiresAt, RevokedAt: row.RevokedAt, LastUsedAt: row.LastUsedAt,
		RateBurst: row.RateBurst, RatePerSecond: row.RatePerSecond}
	if row.OwnerID != nil {
		k.OwnerID = *row.OwnerID
	}
	if row.Edges.Workspace != nil {
		k.WorkspaceName = row.Edges.Workspace.Name
	}
	return k
}

// Workspace reads a workspace.
func (s *Store) Workspace(ctx context.Context, id int) (Workspace, error) {
	w, err := s.db.Client.Workspace.Get(ctx, id)
	if err != nil {
		return Workspace{}, err
	}
	return Workspace{ID: w.ID, Name: w.Name, CreatedAt: w.CreatedAt.UTC()}, nil
}

// check refuses a rate no request could run under.
func (r Rate) check() error {
	if err := ratelimit.Default.With(r.Burst, r.PerSecond).Check(); err != nil {
		return apierr.Wrap(err, apierr.BadUserInput, "the key's rate limit: %v", err)
	}
	return nil
}
