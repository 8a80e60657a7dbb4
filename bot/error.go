package bot

import (
	"errors"
	"fmt"
	"net/http"
)

// Error codes of Error. Adapters map them to HTTP statuses and channel texts.
const (
	EINVALID      = "invalid"      // the input is malformed: empty, bad UTF-8, bad JSON
	ETOOLARGE     = "too_large"    // the input is over a size limit
	ENOTFOUND     = "not_found"    // the thing asked for does not exist
	ECONFLICT     = "conflict"     // the state does not allow the action
	EUNAUTHORIZED = "unauthorized" // missing or wrong credentials
	ERATELIMIT    = "rate_limited" // too many requests
	EUNAVAILABLE  = "unavailable"  // a dependency is down or shutting down
	EINTERNAL     = "internal"     // anything else; the message never says more

	EUNSUPPORTED = "unsupported_media_type" // a request body of a type the endpoint does not take
	EFORBIDDEN   = "forbidden"              // authenticated or not, this may not be done from here
	EORIGIN      = "forbidden_origin"       // a browser request from an origin that may not use the endpoint
)

// HTTPStatus maps an error code to its HTTP status: the one table for every
// HTTP handler of Concierge (the REST API, the widget, the console, the
// webhooks). Unknown codes are 500.
func HTTPStatus(code string) int {
	switch code {
	case EINVALID:
		return http.StatusBadRequest
	case ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case EUNAUTHORIZED:
		return http.StatusUnauthorized
	case EFORBIDDEN, EORIGIN:
		return http.StatusForbidden
	case ENOTFOUND:
		return http.StatusNotFound
	case ECONFLICT:
		return http.StatusConflict
	case ERATELIMIT:
		return http.StatusTooManyRequests
	case EUNSUPPORTED:
		return http.StatusUnsupportedMediaType
	case EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// Error is the one error type whose message is safe to show a user. Any other
// error is internal and shown as a generic sentence.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the code and a formatted, user-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err if it wraps an *Error, and EINTERNAL for
// any other non-nil error.
func ErrorCode(err error) string { return shown(err).Code }

// ErrorMessage returns the user-safe message of err: the message of a wrapped
// *Error, or a generic sentence for anything else.
func ErrorMessage(err error) string { return shown(err).Message }

// internalError is what a user is shown of an error that is not an *Error.
var internalError = Error{Code: EINTERNAL, Message: "Something went wrong on our side. Please try again in a moment."}

// shown returns what a user may be shown of err: the *Error it wraps,
// internalError for any other error, and the zero Error for nil.
func shown(err error) Error {
	var e *Error
	switch {
	case err == nil:
		return Error{}
	case errors.As(err, &e):
		return *e
	}
	return internalError
}
