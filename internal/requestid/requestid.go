// Package requestid gives every HTTP request an id: the one the client
// sent in X-Request-Id when it is sane, else a new one. The id goes back
// in the response's X-Request-Id header, into the request's context (for
// its log lines and its audit entries) and so into every log line written
// with that context (LogHandler).
package requestid

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
)

// Header carries the id both ways.
const Header = "X-Request-Id"

// MaxLen is the longest id taken from a client; a longer one is replaced.
const MaxLen = 128

type ctxKey struct{}

// From returns the id of the request of ctx; "" outside a request.
func From(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// With returns ctx carrying id.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// Handler gives each request through next its id. A request that has one
// already (an outer Handler gave it) keeps it, so that the handler may
// wrap both a whole server and one endpoint of it.
func Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if From(r.Context()) != "" {
			next.ServeHTTP(w, r)
			return
		}
		id := r.Header.Get(Header)
		if !Sane(id) {
			id = New()
		}
		w.Header().Set(Header, id)
		next.ServeHTTP(w, r.WithContext(With(r.Context(), id)))
	})
}

// Sane tells whether a client's id may be kept: 1 to MaxLen printable
// ASCII characters without spaces, so that it cannot forge a log line or
// fill a column.
func Sane(id string) bool {
	if id == "" || len(id) > MaxLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}

// New returns a fresh id: 16 random bytes in hex.
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// LogHandler adds the request id of a record's context to the record, as
// request_id.
type LogHandler struct{ slog.Handler }

// Handle adds the id and passes the record on.
func (h LogHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := From(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
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
