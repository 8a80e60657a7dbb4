package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// configError marks an error in the setup that the person running concierge
// controls and must fix before it can start: the config file, the flags, and
// the files and folders they name. run exits with status 2 for it, as for a
// usage error; any other error is a runtime failure (status 1).
type configError struct{ err error }

func (e configError) Error() string { return e.err.Error() }
func (e configError) Unwrap() error { return e.err }

// configErrorf returns a configError with a formatted message; %w wraps as
// in fmt.Errorf.
func configErrorf(format string, args ...any) error {
	return configError{fmt.Errorf(format, args...)}
}

// explained is an error whose message is written for the person at the
// terminal in place of its cause's. The cause stays reachable with errors.Is
// and errors.As, and run prints it with --verbose.
type explained struct {
	msg   string
	cause error
}

func (e *explained) Error() string { return e.msg }
func (e *explained) Unwrap() error { return e.cause }

// explain returns an error reading as the formatted message and wrapping
// cause.
func explain(cause error, format string, args ...any) error {
	return &explained{msg: fmt.Sprintf(format, args...), cause: cause}
}

// exitStatus is the process exit status for an error returned by a command:
// 2 when the command line or the setup is wrong, 1 otherwise.
func exitStatus(err error) int {
	var ue usageError
	var ce configError
	if errors.As(err, &ue) || errors.As(err, &ce) || strings.HasPrefix(err.Error(), "unknown command") ||
		strings.HasPrefix(err.Error(), "unknown flag") {
		return 2
	}
	return 1
}

var lineBreaks = regexp.MustCompile(`\s*[\r\n]+\s*`)

// singleLine joins the lines of a message with "; ", so that an error always
// prints as one line whatever a library put in it.
func singleLine(s string) string {
	return lineBreaks.ReplaceAllString(strings.TrimSpace(s), "; ")
}

// causeOf returns the innermost cause hidden behind an explained error in
// err's chain, or nil when nothing is hidden.
func causeOf(err error) error {
	var ex *explained
	if !errors.As(err, &ex) || ex.cause == nil {
		return nil
	}
	return ex.cause
}
