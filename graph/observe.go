package graph

import (
	"context"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/auth"
	"github.com/acme/crm/internal/observe"
)

// observed records each operation's result code (OK, or the code of its
// first error) for the request's log line and metrics (watchedExec names
// the operation, refused ones too), and traces it: a span per operation,
// whose children are the root fields', the loader batches' and the SQL
// statements'.
type observed struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
} = observed{}

func (observed) ExtensionName() string                   { return "Observed" }
func (observed) Validate(graphql.ExecutableSchema) error { return nil }
func (observed) operationName(oc *graphql.OperationContext) string {
	if oc.Operation != nil && oc.Operation.Name != "" {
		return oc.Operation.Name
	}
	return oc.OperationName
}

// observedOp is what observed notes of an operation once, rather than at
// each of its answers (a subscription answers every event): its request,
// and its span's name and attributes.
type observedOp struct {
	req   *observe.Request
	span  string
	attrs []attribute.KeyValue
}

type observedOpKey struct{}

func (o observed) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	return next(context.WithValue(ctx, observedOpKey{}, o.op(ctx)))
}

// op is the operation of ctx as InterceptOperation noted it, or as it is
// now.
func (o observed) op(ctx context.Context) *observedOp {
	if op, ok := ctx.Value(observedOpKey{}).(*observedOp); ok {
		return op
	}
	oc := graphql.GetOperationContext(ctx)
	name := o.operationName(oc)
	kind := "query"
	if oc.Operation != nil {
		kind = string(oc.Operation.Operation)
	}
	return &observedOp{req: observe.RequestOf(ctx), span: strings.TrimSpace("graphql " + kind + " " + name),
		attrs: []attribute.KeyValue{attribute.String("graphql.operation.type", kind), attribute.String("graphql.operation.name", name)}}
}

func (o observed) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		// A request error (gqlgen's DispatchError): the answer's writer
		// records its code (writeRequestError).
		return next(ctx)
	}
	op := o.op(ctx)
	ctx, span := observe.Tracer.Start(ctx, op.span)
	defer span.End()
	span.SetAttributes(op.attrs...)
	resp := next(ctx)
	code := "OK"
	if resp != nil && len(resp.Errors) > 0 {
		code = string(apierr.Internal)
		if c, ok := resp.Errors[0].Extensions["code"].(string); ok {
			code = c
		}
		span.SetStatus(codes.Error, resp.Errors[0].Message)
	}
	span.SetAttributes(attribute.String("crm.result_code", code))
	op.req.SetCode(code)
	return resp
}

// rootSpan traces a root field, which reads or writes the database:
// Query.records, Mutation.createRecord...
func rootSpan(ctx context.Context) (context.Context, func()) {
	kind := string(graphql.GetOperationContext(ctx).Operation.Operation)
	name := strings.ToUpper(kind[:1]) + kind[1:] + "." + graphql.GetRootFieldContext(ctx).Field.Name
	ctx, span := observe.Span(ctx, name)
	return ctx, func() { span.End() }
}

// MetricsHandler serves the metrics (observe.Metrics), to the same
// requests the API answers: with the ADMIN scope of a valid key, or
// without one in local mode.
func (h *Handler) MetricsHandler(m *observe.Metrics) http.Handler {
	metrics := m.Handler()
	return h.gate.authenticate(func(w http.ResponseWriter, r *http.Request, v *auth.Viewer) {
		if !v.Allows(auth.Admin) {
			refuse(w, r, http.StatusForbidden, apierr.Forbidden, "the metrics need an API key with the scope ADMIN")
			return
		}
		metrics.ServeHTTP(w, r)
	})
}
