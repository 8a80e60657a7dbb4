package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"

	openai "github.com/sashabaranov/go-openai"
)

// errRateLimited marks a 429; it is wrapped with ErrUnavailable.
var errRateLimited = errors.New("rate limited")

// providerError is a classified failure of one call. Its message holds only
// what is safe to log: the kind, the HTTP status and a reason of our own;
// never the provider's body, which may echo the prompt.
type providerError struct {
	kind   error // one of the exported sentinels
	status int   // HTTP status, 0 when none
	reason string
	cause  error
}

func (e *providerError) Error() string {
	msg := e.kind.Error()
	if e.status != 0 {
		msg += fmt.Sprintf(" (HTTP %d)", e.status)
	}
	if e.reason != "" {
		msg += ": " + e.reason
	}
	return msg
}

// Unwrap exposes the kind and the cause to errors.Is and errors.As.
func (e *providerError) Unwrap() []error {
	if e.status == http.StatusTooManyRequests {
		return []error{e.kind, errRateLimited, e.cause}
	}
	return []error{e.kind, e.cause}
}

func badResponse(reason string, cause error) error {
	return &providerError{kind: ErrBadResponse, reason: reason, cause: cause}
}

// classify turns an error of the go-openai client or of our checks into a
// *providerError (errors that already are one are returned as they are).
// timedOut says the attempt's own deadline expired.
func classify(err error, timedOut bool) error {
	var pe *providerError
	if errors.As(err, &pe) {
		return err
	}
	var api *openai.APIError
	var req *openai.RequestError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, errTooLarge):
		return badResponse("response larger than the limit", err)
	case timedOut || errors.Is(err, context.DeadlineExceeded):
		return &providerError{kind: ErrTimeout, reason: "deadline exceeded", cause: err}
	case errors.Is(err, context.Canceled):
		return err
	case errors.As(err, &api):
		return &providerError{kind: ErrUnavailable, status: api.HTTPStatusCode, reason: "error status", cause: err}
	case errors.As(err, &req):
		return &providerError{kind: ErrUnavailable, status: req.HTTPStatusCode, reason: "error status with a non-JSON body", cause: err}
	case errors.As(err, &syn), errors.As(err, &typ):
		return badResponse("body is not the expected JSON (an HTML page or a proxy?)", err)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, openai.ErrTooManyEmptyStreamMessages):
		return badResponse("truncated or empty body", err)
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return &providerError{kind: ErrUnavailable, reason: "network error", cause: err}
	}
	return badResponse("unexpected error", err)
}

// retryable reports whether another attempt may succeed: 429, 5xx, network
// errors and attempt timeouts.
func retryable(err error) bool {
	var pe *providerError
	if !errors.As(err, &pe) {
		return false
	}
	switch {
	case errors.Is(pe.kind, ErrTimeout):
		return true
	case errors.Is(pe.kind, ErrUnavailable):
		return pe.status == 0 || pe.status == http.StatusTooManyRequests || pe.status >= 500
	}
	return false
}

// statusOf is the bounded attempt label of an error.
func statusOf(err error) string {
	var pe *providerError
	if !errors.As(err, &pe) {
		return "canceled"
	}
	switch {
	case pe.status >= 500:
		return "5xx"
	case pe.status == http.StatusTooManyRequests:
		return "429"
	case pe.status >= 400:
		return "4xx"
	case errors.Is(pe.kind, ErrTimeout):
		return "timeout"
	case errors.Is(pe.kind, ErrBadResponse):
		return "bad_response"
	}
	return "network"
}

// outcomeOf is the bounded outcome label of a failed call.
func outcomeOf(err error) string {
	switch {
	case errors.Is(err, errRateLimited):
		return outcomeRateLimited
	case errors.Is(err, ErrTimeout):
		return outcomeTimeout
	case errors.Is(err, ErrBadResponse):
		return outcomeBadResponse
	case errors.Is(err, ErrCircuitOpen):
		return outcomeCircuitOpen
	case errors.Is(err, ErrBudgetExhausted):
		return outcomeBudget
	}
	return outcomeError
}

// safeError is the loggable text of an error: a *providerError's own
// message, never the provider's body or the prompt.
func safeError(err error) string {
	var pe *providerError
	if errors.As(err, &pe) {
		return pe.Error()
	}
	if errors.Is(err, context.Canceled) {
		return "canceled"
	}
	return "error"
}
