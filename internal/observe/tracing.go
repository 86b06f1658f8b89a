package observe

import (
	"context"
	"fmt"
	"net/http"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
)

// Tracer makes the server's spans: one per GraphQL operation, per root
// field and loader batch (the resolvers that touch the database), and per
// SQL statement (internal/db). With tracing off it is OpenTelemetry's
// no-op, and the statements' spans are not even started.
var Tracer = otel.Tracer("github.com/acme/crm")

// TracingWanted tells whether the standard OpenTelemetry variables ask for
// traces: an OTLP endpoint is set and OTEL_TRACES_EXPORTER is not "none".
func TracingWanted(getenv func(string) string) bool {
	if getenv("OTEL_TRACES_EXPORTER") == "none" || getenv("OTEL_SDK_DISABLED") == "true" {
		return false
	}
	return getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// StartTracing exports spans over OTLP/HTTP as the standard variables
// configure it (endpoint, headers, timeout; OTEL_SERVICE_NAME, "crm" by
// default), until the returned func flushes and stops it.
func StartTracing(ctx context.Context, getenv func(string) string) (stop func(context.Context) error, err error) {
	if p := getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"); p == "grpc" || p == "" && getenv("OTEL_EXPORTER_OTLP_PROTOCOL") == "grpc" {
		return nil, fmt.Errorf("tracing: the OTLP protocol grpc is not supported, use http/protobuf (OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf)")
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	return Trace(exp, getenv("OTEL_SERVICE_NAME")).Shutdown, nil
}

// Trace sends the server's spans to exp (over OTLP, or a test's
// in-memory exporter) in batches, under the service name (crm when
// empty), until its provider is shut down.
func Trace(exp sdktrace.SpanExporter, service string) *sdktrace.TracerProvider {
	if service == "" {
		service = "crm"
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp),
		sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName(service))))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return tp
}

// Traced continues the trace an incoming request carries (traceparent),
// so that its spans join the caller's.
func Traced(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := otel.GetTextMapPropagator().Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Span starts a span named name under ctx's, if ctx's is recording (a
// traced request); else it returns ctx and a span that does nothing.
func Span(ctx context.Context, name string) (context.Context, trace.Span) {
	parent := trace.SpanFromContext(ctx)
	if !parent.IsRecording() {
		return ctx, parent
	}
	return Tracer.Start(ctx, name)
}
