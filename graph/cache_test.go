package graph

import (
	"context"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/handler/lru"
)

// The query caches keep no query over maxCachedQuery bytes: they count
// entries, so only small entries keep their memory bounded.
func TestCachesKeepSmallQueriesOnly(t *testing.T) {
	ctx := context.Background()
	c := smallOnly[string]{lru.New[string](10), func(_, query string) int { return len(query) }}
	small, big := "{ objectTypes { name } }", "{ "+strings.Repeat("objectTypes { name } ", maxCachedQuery/20)+"}"
	c.Add(ctx, "small", small)
	c.Add(ctx, "big", big)
	if _, ok := c.Get(ctx, "small"); !ok {
		t.Fatal("a small query was not kept")
	}
	if _, ok := c.Get(ctx, "big"); ok {
		t.Fatalf("a query of %d bytes was kept", len(big))
	}
}
