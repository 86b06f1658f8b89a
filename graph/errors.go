package graph

import (
	"context"
	"errors"
	"log/slog"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/crm/internal/apierr"
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

// presentError gives every error a documented extensions.code. An error
// that is not a refusal of the domain is logged and answered as INTERNAL
// without its text, which may hold internals.
func presentError(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if e, ok := apierr.As(err); ok {
			gqlErr.Message = e.Message
			ext := map[string]any{"code": string(e.Code)}
			if e.Property != "" {
				ext["property"] = e.Property
			}
			if e.ExistingID != 0 {
				ext["existingRecordId"] = strconv.Itoa(e.ExistingID)
				ext["existingId"] = gid.Encode(gid.Record, e.ExistingID)
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
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			gqlErr.Message = "the request was cancelled or took too long"
			gqlErr.Extensions = map[string]any{"code": string(apierr.Internal)}
			return gqlErr
		}
		logger.ErrorContext(ctx, "internal error", "error", err, "path", gqlErr.Path.String())
		gqlErr.Message = "internal server error"
		gqlErr.Extensions = map[string]any{"code": string(apierr.Internal)}
		return gqlErr
	}
}
