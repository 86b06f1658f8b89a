package graph

import (
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"

	"github.com/acme/crm/graph/generated"
)

// NewExecutorOnlyHandler is NewHandler answering every field through
// gqlgen's executor, never a read plan.
func NewExecutorOnlyHandler(cfg Config) http.Handler {
	cfg.executorOnly = true
	return NewHandler(cfg)
}

// Planned reports whether a read plan answers the first root field of
// query, a valid query, with vars as a JSON request carries them.
func Planned(query string, vars map[string]any) (bool, error) {
	es := generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{}})
	doc, err := gqlparser.LoadQueryWithRules(es.Schema(), query, nil)
	if err != nil {
		return false, err
	}
	op := doc.Operations[0]
	opCtx := &graphql.OperationContext{RawQuery: query, Variables: vars, Doc: doc, Operation: op}
	_, ok := planRecords(opCtx, graphql.CollectFields(opCtx, op.SelectionSet, []string{"Query"})[0])
	return ok, nil
}
