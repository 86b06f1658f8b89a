// Package observe is what operators see of the server: Prometheus metrics
// (requests by route, operation name and result code, their latency, the
// SQL statements and time of each, the database pool, loader batches,
// import rows) and OpenTelemetry tracing (tracing.go).
package observe

import (
	"context"
	stdsql "database/sql"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/acme/crm/internal/db"
)

// MaxOperations bounds the operation names the metrics tell apart:
// clients choose them, and each is a series kept for the life of the
// process. Names past the first MaxOperations are counted as "other".
const MaxOperations = 200

// Metrics are the server's Prometheus metrics, in a registry of their own.
// A nil *Metrics measures nothing (metrics off).
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	statements *prometheus.HistogramVec
	sqlTime    *prometheus.HistogramVec
	batches    *prometheus.HistogramVec
	importRows *prometheus.CounterVec

	mu         sync.Mutex
	operations map[string]bool
}

// New makes the metrics of a server whose database pool is pool.
func New(pool *stdsql.DB) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crm_http_requests_total",
			Help: "HTTP requests answered, by route, GraphQL operation name (\"\" when none), HTTP status and result code (OK, or the extensions.code of the first error).",
		}, []string{"route", "operation", "status", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "crm_http_request_duration_seconds",
			Help:    "Time from a request's arrival to the end of its answer, by route and GraphQL operation name.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "operation"}),
		statements: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "crm_sql_statements_per_request",
			Help:    "SQL statements a request sent, by route.",
			Buckets: []float64{0, 1, 2, 3, 4, 6, 8, 12, 16, 32, 64, 128},
		}, []string{"route"}),
		sqlTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "crm_sql_seconds_per_request",
			Help:    "Time a request's SQL statements took, from sending each to its first answer, by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5},
		}, []string{"route"}),
		batches: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "crm_loader_batch_size",
			Help:    "Keys per batch of a request's loaders (one statement per batch), by loader.",
			Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000},
		}, []string{"loader"}),
		importRows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crm_import_rows_total",
			Help: "Rows of imports read, by what became of them: created, updated, skipped, failed.",
		}, []string{"result"}),
		operations: map[string]bool{},
	}
	m.reg.MustRegister(m.requests, m.duration, m.statements, m.sqlTime, m.batches, m.importRows,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(pool, "crm"))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Batch counts a loader's batch of n keys.
func (m *Metrics) Batch(loader string, n int) {
	if m != nil {
		m.batches.WithLabelValues(loader).Observe(float64(n))
	}
}

// ImportRows counts n rows of an import that ended as result.
func (m *Metrics) ImportRows(result string, n int) {
	if m != nil && n > 0 {
		m.importRows.WithLabelValues(result).Add(float64(n))
	}
}

// operation is name as a label: itself among the first MaxOperations
// names seen, else "other".
func (m *Metrics) operation(name string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.operations[name] {
		return name
	}
	if len(m.operations) >= MaxOperations {
		return "other"
	}
	m.operations[name] = true
	return name
}

// Request is what the metrics learn of a request as it is answered.
type Request struct {
	operation string
	code      string
	sql       db.Stats
}

type requestKey struct{}

// RequestOf is ctx's request; nil outside one (its setters do nothing).
func RequestOf(ctx context.Context) *Request {
	r, _ := ctx.Value(requestKey{}).(*Request)
	return r
}

// SetOperation names the GraphQL operation the request ran. A name that
// is not a GraphQL name of at most 100 characters (an operationName a
// client sent, that no document holds) is kept as "invalid".
func (r *Request) SetOperation(name string) {
	if r == nil || name == "" {
		return
	}
	if !operationName.MatchString(name) {
		name = "invalid"
	}
	r.operation = name
}

var operationName = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]{0,99}$`)

// SetCode records the request's result code: OK, or the code of its
// first error.
func (r *Request) SetCode(code string) {
	if r != nil && r.code == "" {
		r.code = code
	}
}

// Requests logs and measures each request next answers: one log line
// with its operation name, result code and statements, and the metrics
// (when m is not nil). Routes are the patterns of the server's mux (a
// bounded set), never raw paths.
func Requests(logger *slog.Logger, m *Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		req := &Request{}
		r = r.WithContext(db.WithStats(context.WithValue(r.Context(), requestKey{}, req), &req.sql))
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		took := time.Since(start)
		code := req.code
		if code == "" && sw.status < 400 {
			code = "OK"
		}
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.String("operation", req.operation), slog.String("code", code),
			slog.Int64("sql", req.sql.Statements()), slog.Duration("duration", took.Round(time.Microsecond)))
		if m == nil {
			return
		}
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		op := ""
		if req.operation != "" {
			op = m.operation(req.operation)
		}
		m.requests.WithLabelValues(route, op, strconv.Itoa(sw.status), code).Inc()
		m.duration.WithLabelValues(route, op).Observe(took.Seconds())
		m.statements.WithLabelValues(route).Observe(float64(req.sql.Statements()))
		m.sqlTime.WithLabelValues(route).Observe(req.sql.Time().Seconds())
	})
}

// statusWriter keeps the status of an answer.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the writer's Flush and
// deadlines.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// LogHandler adds the name of the request's GraphQL operation to every
// record logged with the request's context (as operation), unless the
// record names one itself.
type LogHandler struct{ slog.Handler }

// Handle adds the operation and passes the record on.
func (h LogHandler) Handle(ctx context.Context, r slog.Record) error {
	if req := RequestOf(ctx); req != nil && req.operation != "" {
		named := false
		r.Attrs(func(a slog.Attr) bool {
			named = a.Key == "operation"
			return !named
		})
		if !named {
			r.AddAttrs(slog.String("operation", req.operation))
		}
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the handler a LogHandler.
func (h LogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return LogHandler{h.Handler.WithAttrs(attrs)}
}

// WithGroup keeps the handler a LogHandler.
func (h LogHandler) WithGroup(name string) slog.Handler {
	return LogHandler{h.Handler.WithGroup(name)}
}
