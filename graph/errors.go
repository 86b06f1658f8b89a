package graph

import (
	"context"
	"errors"
	"log/slog"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/gid"
)

// gqlgenCodes maps the codes gqlgen and gqlparser set to the documented set.
var gqlgenCodes = map[string]apierr.Code{
	errcode.ParseFailed:             apierr.BadUserInput,
	errcode.ValidationFailed:        apierr.BadUserInput,
	"COMPLEXITY_LIMIT_EXCEEDED":     apierr.LimitExceeded,
	"PERSISTED_QUERY_NOT_FOUND":     apierr.NotFound,
	"PERSISTED_QUERY_NOT_SUPPORTED": apierr.BadUserInput,
}

// presentError gives every error a documented extensions.code. A
// transient failure of the database (db.Transient) is UNAVAILABLE with
// extensions.retryable, true only when sending the request again is safe
// (see unavailable; the write unit says for the writes it ran). Any other
// error that is not a refusal of the domain is logged and answered as
// INTERNAL without its text, which may hold internals.
func presentError(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if e, ok := apierr.As(err); ok {
			gqlErr.Message = e.Message
			ext := map[string]any{"code": string(e.Code)}
			if e.Property != "" {
				ext["property"] = e.Property
			}
			if e.Path != "" {
				ext["argumentPath"] = e.Path
			}
			if e.ExistingID != 0 {
				ext["existingRecordId"] = strconv.Itoa(e.ExistingID)
				ext["existingId"] = gid.Encode(gid.Record, e.ExistingID)
			}
			if e.Retryable != nil || e.Code == apierr.Unavailable {
				// Not said to be safe (nil), it is not.
				retryable := e.Retryable != nil && *e.Retryable
				if retryable && severalWrites(ctx) {
					retryable = false
					gqlErr.Message += " (this field only: other fields of the request may have been applied)"
				}
				ext["retryable"] = retryable
			}
			if e.RetryAfter > 0 {
				ext["retryAfter"] = e.RetryAfterSeconds()
			}
			if e.Code == apierr.Unavailable {
				logger.WarnContext(ctx, "database unavailable", "error", e.Unwrap(), "retryable", ext["retryable"], "path", gqlErr.Path.String())
			}
			gqlErr.Extensions = ext
			return gqlErr
		}
		var parsed *gqlerror.Error
		if errors.As(err, &parsed) && parsed.Extensions != nil {
			if code, ok := parsed.Extensions["code"].(string); ok {
				if mapped, ok := gqlgenCodes[code]; ok {
					gqlErr.Extensions = map[string]any{"code": string(mapped)}
					return gqlErr
				}
			}
		}
		if errors.As(err, &parsed) && parsed.Err == nil && parsed.Extensions == nil && graphql.GetFieldContext(ctx) == nil {
			// An error gqlgen made of the request itself (an unknown
			// operation name, a bad variable) before any resolver ran.
			gqlErr.Extensions = map[string]any{"code": string(apierr.BadUserInput)}
			return gqlErr
		}
		// lib/pq answers a cancelled statement with its own error (57014),
		// not the context's: the request's context says what happened.
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			// The deadline passed, or the client went away: the work was
			// cancelled and what it had not committed rolled back.
			gqlErr.Message = "the request ran past its deadline and was cancelled"
			gqlErr.Extensions = map[string]any{"code": string(apierr.Timeout)}
			return gqlErr
		}
		if db.Transient(err) {
			// Not the write unit's (it answers for the transactions it
			// ran): a read, of a query or of a mutation before or after
			// its write.
			return unavailable(ctx, logger, gqlErr, err)
		}
		logger.ErrorContext(ctx, "internal error", "error", err, "path", gqlErr.Path.String())
		gqlErr.Message = "internal server error"
		gqlErr.Extensions = map[string]any{"code": string(apierr.Internal)}
		return gqlErr
	}
}

// unavailable answers a transient failure of the database that no write
// unit classified. In a query it is a read: nothing was written, so
// sending the request again is safe, and the answer says so. Reads are
// not retried in the server: database/sql already sends a statement again
// on a fresh connection when it finds a pooled one broken (the first
// thing a restart does to a pool), and what is left — the database
// refusing connections while it restarts — lasts longer than a request
// should wait; the client, told it may, decides when to try again.
//
// In a mutation the read failed before the write began — reading the
// definitions, typically — or after it committed: a definition change
// reads the definitions again, a nested field of the payload is read
// after the write. Only the fields of writeIsLast, failing themselves,
// are sure to be the first kind and answer retryable; any other says the
// write may have been applied. Writes that failed in their transaction
// carry the write unit's own answer instead.
func unavailable(ctx context.Context, logger *slog.Logger, gqlErr *gqlerror.Error, err error) *gqlerror.Error {
	retryable := !isMutation(ctx)
	if fc := graphql.GetFieldContext(ctx); !retryable && fc != nil && fc.Object == "Mutation" && writeIsLast[fc.Field.Name] {
		retryable = !severalWrites(ctx)
	}
	logger.WarnContext(ctx, "database unavailable", "error", err, "retryable", retryable, "path", gqlErr.Path.String())
	if retryable {
		gqlErr.Message = "the database is unavailable for the moment (restarting, or too busy); nothing was written: send the request again"
	} else {
		gqlErr.Message = "the database failed during the request: its write may have been applied; read before sending it again"
	}
	gqlErr.Extensions = map[string]any{"code": string(apierr.Unavailable), "retryable": retryable}
	return gqlErr
}

// writeIsLast are the mutation fields whose resolver does nothing with the
// database after its write: it reads the definitions, runs one write unit
// and answers from what the write returned. A transient failure of such a
// field that the write unit did not classify came before its write (or
// after a write that rolled back): nothing was written. A resolver that
// reads after its write must not be listed (definition changes read the
// definitions again); a field not listed is answered not retryable.
var writeIsLast = map[string]bool{
	"createRecord": true, "updateRecord": true, "archiveRecord": true, "restoreRecord": true,
	"createRecords": true, "updateRecords": true, "upsertRecords": true, "archiveRecords": true,
	"associate": true, "disassociate": true, "associateRecords": true, "disassociateRecords": true,
	"mergeRecords": true, "deleteRecordPermanently": true,
}

func isMutation(ctx context.Context) bool {
	if !graphql.HasOperationContext(ctx) {
		return false
	}
	op := graphql.GetOperationContext(ctx).Operation
	return op != nil && op.Operation == ast.Mutation
}

// severalWrites reports whether the request is a mutation of more than
// one field: sending it again would run the others again, which may have
// been applied, so no error of it is retryable as a whole.
func severalWrites(ctx context.Context) bool {
	if !isMutation(ctx) {
		return false
	}
	oc := graphql.GetOperationContext(ctx)
	return len(graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Mutation"})) > 1
}
