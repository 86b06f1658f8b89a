// Package apierr is the one set of error codes clients see in
// extensions.code, and the typed error that carries a code from the domain
// packages to the API. errors.As still finds the cause behind it.
package apierr

import (
	"errors"
	"fmt"
	"time"
)

// Code is a documented error code.
type Code string

// The documented codes. Clients may switch on them; they never change.
const (
	BadUserInput    Code = "BAD_USER_INPUT"
	NotFound        Code = "NOT_FOUND"
	Conflict        Code = "CONFLICT"
	Unauthenticated Code = "UNAUTHENTICATED"
	Forbidden       Code = "FORBIDDEN"
	LimitExceeded   Code = "LIMIT_EXCEEDED"
	// RateLimited: the API key has spent its rate for now; the request
	// may be sent again after RetryAfter (HTTP 429, Retry-After).
	RateLimited Code = "RATE_LIMITED"
	// Timeout: the request ran past its deadline and its work was
	// cancelled; nothing it did not answer was committed.
	Timeout Code = "TIMEOUT"
	// Unavailable: the database could not be reached or gave up on the
	// work (a restart, a serialization failure); the error says whether
	// sending the request again is safe (extensions.retryable).
	Unavailable Code = "UNAVAILABLE"
	Internal    Code = "INTERNAL"
	// LifecycleStageKept is a warning of an import row, not an error: the
	// row was written without its lifecycle stage, which would have moved
	// backwards.
	LifecycleStageKept Code = "LIFECYCLE_STAGE_KEPT"
	// SubscriberTooSlow ends a subscription whose events piled up
	// unread past the server's buffer (events.Buffer).
	SubscriberTooSlow Code = "SUBSCRIBER_TOO_SLOW"
)

// Codes are every documented code, as the schema's enum ErrorCode lists
// them (a test holds the two equal).
var Codes = []Code{BadUserInput, NotFound, Conflict, Unauthenticated, Forbidden, LimitExceeded, RateLimited, Timeout, Unavailable, Internal, LifecycleStageKept, SubscriberTooSlow}

// Error is a refusal a client can act on.
type Error struct {
	Code    Code
	Message string
	// Property names the property whose value is at fault, if one is.
	Property string
	// Path names the part of an argument at fault, such as
	// filter.and[1].value (extensions.argumentPath).
	Path string
	// ExistingID is the record that already holds a unique value (CONFLICT).
	ExistingID int
	// Retryable, when set, says whether sending the same request again is
	// safe (extensions.retryable): true when the failed work surely left
	// nothing behind, false when it may have been applied. UNAVAILABLE
	// errors always say; an UNAVAILABLE error that leaves it nil is
	// answered as not retryable.
	Retryable *bool
	// RetryAfter is how long to wait before sending the request again
	// (RATE_LIMITED): extensions.retryAfter, in whole seconds.
	RetryAfter time.Duration
	cause      error
}

// RetryAfterSeconds is RetryAfter in whole seconds, rounded up: waiting
// that long is always enough.
func (e *Error) RetryAfterSeconds() int {
	return int((e.RetryAfter + time.Second - 1) / time.Second)
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.cause }

// New returns an error with a code and a message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid refuses the value of a property.
func Invalid(property, format string, args ...any) *Error {
	return &Error{Code: BadUserInput, Property: property, Message: fmt.Sprintf(format, args...)}
}

// Wrap gives cause a code and a message fit for clients.
func Wrap(cause error, code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), cause: cause}
}

// As returns the *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// CodeOf returns err's code: INTERNAL for anything that is not an *Error.
func CodeOf(err error) Code {
	if e, ok := As(err); ok {
		return e.Code
	}
	return Internal
}
