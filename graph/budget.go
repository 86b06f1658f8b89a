package graph

import (
	"context"
	"crypto/sha256"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/page"
)

// Limits are the budgets of one request, all checked before it runs
// (but Timeout, which bounds its run). They hold per request, not per
// field: aliases, batches, fragments and nesting add up.
type Limits struct {
	// Tokens bounds the size of a document, in the parser's tokens.
	Tokens int
	// Fields bounds the fields of a document with its fragments inlined
	// wherever they are spread, aliases included: validation compares
	// fields pairwise, so this bounds its cost too.
	Fields int
	// Depth bounds how deep selections nest.
	Depth int
	// Cost bounds the values an operation may answer: every field counts
	// once for each object it may be selected on, so page sizes multiply
	// through nesting and aliases add up (see costed).
	Cost int
	// Writes bounds the items the mutation fields of one request write
	// together: a batch's items, or one for a single write.
	Writes int
	// Timeout bounds a request's run; its database work is cancelled then,
	// or when the client goes away.
	Timeout time.Duration
	// Errors bounds the errors of one answer, MessageBytes the length of
	// each message: neither echoes an unbounded part of a request.
	Errors       int
	MessageBytes int
}

// DefaultLimits are the budgets unless the server is told otherwise.
var DefaultLimits = Limits{
	Tokens:       50_000,
	Fields:       2_000,
	Depth:        24,
	Cost:         500_000,
	Writes:       1_000,
	Timeout:      30 * time.Second,
	Errors:       50,
	MessageBytes: 400,
}

// orDefault fills the limits left zero with the defaults.
func (l Limits) orDefault() Limits {
	d := DefaultLimits
	for _, f := range []struct{ v, def *int }{
		{&l.Tokens, &d.Tokens}, {&l.Fields, &d.Fields}, {&l.Depth, &d.Depth}, {&l.Cost, &d.Cost},
		{&l.Writes, &d.Writes}, {&l.Errors, &d.Errors}, {&l.MessageBytes, &d.MessageBytes},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	// An answer keeps room for one real error beside the count of the
	// others, and a message for a few words.
	l.Errors, l.MessageBytes = max(l.Errors, 2), max(l.MessageBytes, 32)
	return l
}

func limitError(format string, args ...any) *gqlerror.Error {
	err := apierr.New(apierr.LimitExceeded, format, args...)
	return &gqlerror.Error{Message: err.Message, Err: err}
}

// budget is the gqlgen extension that holds a request to its Limits.
type budget struct {
	Limits
	// measured remembers, by hash, the documents found within the budget,
	// so that a query sent again is not parsed twice.
	measured *lru.LRU[bool]
}

func newBudget(l Limits) budget { return budget{Limits: l, measured: lru.New[bool](1000)} }

var (
	_ graphql.OperationParameterMutator = budget{}
	_ graphql.OperationContextMutator   = budget{}
	_ graphql.ResponseInterceptor       = budget{}
	_ graphql.OperationInterceptor      = budget{}
)

func (budget) ExtensionName() string                   { return "RequestBudget" }
func (budget) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters measures the document before gqlgen
// validates it: validation compares fields pairwise, so a document of
// many fields is refused here, in time linear in its size.
func (b budget) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	key := sha256.Sum256([]byte(p.Query))
	if _, ok := b.measured.Get(ctx, string(key[:])); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, b.Tokens)
	if err != nil {
		if strings.Contains(err.Error(), "exceeded token limit") {
			return limitError("the document is over the limit of %d tokens", b.Tokens)
		}
		return nil // gqlgen reports what does not parse
	}
	m := measure{doc: doc, sizes: map[string]int{}, depths: map[string]int{}}
	fields, depth := 0, 0
	for _, op := range doc.Operations {
		n, d := m.selections(op.SelectionSet, nil)
		fields, depth = fields+n, max(depth, d)
	}
	// Validation checks a fragment no operation spreads too.
	for _, f := range doc.Fragments {
		if _, spread := m.sizes[f.Name]; !spread {
			n, d := m.fragment(f.Name, nil)
			fields, depth = fields+n, max(depth, d)
		}
	}
	if fields > b.Fields {
		return limitError("the document selects %d fields with its fragments inlined, over the limit of %d", fields, b.Fields)
	}
	if depth > b.Depth {
		return limitError("the document nests %d levels deep, over the limit of %d", depth, b.Depth)
	}
	b.measured.Add(ctx, string(key[:]), true)
	return nil
}

// measure counts the fields of selection sets with fragments inlined,
// and their depth, each fragment measured once.
type measure struct {
	doc    *ast.QueryDocument
	sizes  map[string]int
	depths map[string]int
}

// selections measures sel; visiting holds the fragments being measured,
// so that a cycle (which validation refuses) ends the walk.
func (m *measure) selections(sel ast.SelectionSet, visiting []string) (fields, depth int) {
	for _, s := range sel {
		var n, d int
		switch s := s.(type) {
		case *ast.Field:
			n, d = m.selections(s.SelectionSet, visiting)
			n, d = n+1, d+1
		case *ast.InlineFragment:
			n, d = m.selections(s.SelectionSet, visiting)
		case *ast.FragmentSpread:
			n, d = m.fragment(s.Name, visiting)
		}
		fields, depth = fields+n, max(depth, d)
	}
	return fields, depth
}

func (m *measure) fragment(name string, visiting []string) (int, int) {
	if n, ok := m.sizes[name]; ok {
		return n, m.depths[name]
	}
	f := m.doc.Fragments.ForName(name)
	if f == nil || slices.Contains(visiting, name) {
		return 0, 0
	}
	n, d := m.selections(f.SelectionSet, append(visiting, name))
	m.sizes[name], m.depths[name] = n, d
	return n, d
}

// MutateOperationContext counts the items the operation's mutation fields
// write, before any runs: a request over the budget writes nothing.
func (b budget) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if items := writes(opCtx); items > b.Writes {
		return limitError("the request writes %d items, over the limit of %d a request (batches and aliases add up)", items, b.Writes)
	}
	return nil
}

// writes counts the items the mutation fields of an operation write
// together: none for a query.
func writes(opCtx *graphql.OperationContext) int {
	if opCtx.Operation.Operation != ast.Mutation {
		return 0
	}
	items := 0
	for _, f := range graphql.CollectFields(opCtx, opCtx.Operation.SelectionSet, []string{"Mutation"}) {
		items += writeItems(args(f.ArgumentMap(opCtx.Variables)))
	}
	return items
}

// writeItems is what one mutation field writes: the records, ids and
// associations its input lists (a batch's inputs, each with the
// associations it makes), or one.
func writeItems(a args) int {
	return max(countItems(a["input"]), 1)
}

// writeLists are the input lists whose elements are writes.
var writeLists = []string{"inputs", "ids", "associations"}

func countItems(v any) int {
	n := 0
	switch v := v.(type) {
	case map[string]any:
		for _, name := range writeLists {
			if list, ok := v[name].([]any); ok {
				n += len(list)
				for _, item := range list {
					n += countItems(item)
				}
			}
		}
	}
	return n
}

// InterceptOperation answers TIMEOUT for an operation its deadline (or
// the client going away) cut short: gqlgen answers nothing then, which a
// client would read as an empty body.
func (b budget) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	h := next(ctx)
	answered := false
	return func(ctx context.Context) *graphql.Response {
		resp := h(ctx)
		if resp == nil && !answered && ctx.Err() != nil {
			resp = &graphql.Response{Errors: gqlerror.List{{Message: "the request ran past its deadline and was cancelled",
				Extensions: map[string]any{"code": string(apierr.Timeout)}}}}
		}
		answered = answered || resp != nil
		return resp
	}
}

// InterceptResponse bounds what an answer echoes: at most Errors errors,
// each message, and each text of its extensions (a property's name), at
// most MessageBytes long.
func (b budget) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	if len(resp.Errors) > b.Errors {
		left := len(resp.Errors) - b.Errors + 1
		resp.Errors = append(resp.Errors[:b.Errors-1:b.Errors-1], &gqlerror.Error{
			Message:    "and " + strconv.Itoa(left) + " more errors, left out",
			Extensions: map[string]any{"code": string(apierr.LimitExceeded)},
		})
	}
	for _, e := range resp.Errors {
		e.Message = excerpt(e.Message, b.MessageBytes)
		for k, v := range e.Extensions {
			if s, ok := v.(string); ok {
				e.Extensions[k] = excerpt(s, b.MessageBytes)
			}
		}
	}
	return resp
}

// excerpt cuts s to at most n bytes, on a rune boundary, marking the cut.
func excerpt(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// pageCost is the size a connection read may answer, for the cost: its
// first or last, else the default; arguments it cannot read cost the
// largest page.
func pageCost(p page.Args, err error) int {
	if err != nil {
		return page.MaxSize
	}
	return pageSize(p)
}
