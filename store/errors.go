package store

import (
	"errors"
	"fmt"
)

// Code classifies an Error; each HTTP dialect maps codes to its own statuses and envelopes.
type Code string

// The codes the domain can raise.
const (
	EINVALID      Code = "invalid"      // the input is malformed or breaks a rule
	ENOTFOUND     Code = "not_found"    // the thing does not exist for this caller
	ECONFLICT     Code = "conflict"     // the thing exists but its state forbids the change
	EUNAUTHORIZED Code = "unauthorized" // no valid credentials
	EFORBIDDEN    Code = "forbidden"    // valid credentials without the permission
	EINTERNAL     Code = "internal"     // a bug or a failure of the database
)

// Error is the one error type of the domain. Reason is a stable machine-readable word
// (e.g. "CALL_NOT_FOUND"); Message is for people.
type Error struct {
	Code    Code
	Reason  string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the given code, reason and formatted message.
func Errorf(code Code, reason, format string, args ...any) *Error {
	return &Error{Code: code, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EINTERNAL for an error that is not an *Error, "" for nil.
func ErrorCode(err error) Code {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of err; internal errors get a generic text.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal Server Error"
}

// ErrorReason returns the stable reason word of err, "" when it has none.
func ErrorReason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// itemError prefixes the message of a rule error with the index of the item that broke it.
func itemError(err error, i int) error { return prefixError(err, fmt.Sprintf("item %d", i)) }

// prefixError puts where an error happened in front of its message.
func prefixError(err error, where string) error {
	if e, ok := err.(*Error); ok {
		return Errorf(e.Code, e.Reason, "%s: %s", where, e.Message)
	}
	return err
}
